package netplan_test

import (
	"errors"
	"fmt"
	"log"
	"net/netip"

	"github.com/archkit/archkit/netplan"
)

func ExampleParsePrefix() {
	p, err := netplan.ParsePrefix("10.0.0.0/16")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p, p.Bits())

	_, err = netplan.ParsePrefix("10.0.0.1/16")
	fmt.Println(err)
	fmt.Println(errors.Is(err, netplan.ErrInvalid))
	// Output:
	// 10.0.0.0/16 16
	// netplan: 10.0.0.1/16: host bits set; did you mean 10.0.0.0/16?
	// true
}

func ExampleCIDRSubnet() {
	for _, tc := range []struct {
		prefix  string
		newbits int
		netnum  uint64
	}{
		{"10.3.0.0/16", 8, 5},
		{"172.16.0.0/12", 4, 2},
		{"fd00:fd12:3456:7890::/56", 16, 162},
	} {
		p, err := netplan.CIDRSubnet(netip.MustParsePrefix(tc.prefix), tc.newbits, tc.netnum)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s + %d bits, netnum %d -> %s\n", tc.prefix, tc.newbits, tc.netnum, p)
	}
	// Output:
	// 10.3.0.0/16 + 8 bits, netnum 5 -> 10.3.5.0/24
	// 172.16.0.0/12 + 4 bits, netnum 2 -> 172.18.0.0/16
	// fd00:fd12:3456:7890::/56 + 16 bits, netnum 162 -> fd00:fd12:3456:7800:a200::/72
}

func ExampleCIDRHost() {
	p := netip.MustParsePrefix("10.12.112.0/20")
	for _, n := range []int64{16, 268, -1} {
		a, err := netplan.CIDRHost(p, n)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("host %d of %s: %s\n", n, p, a)
	}
	// Output:
	// host 16 of 10.12.112.0/20: 10.12.112.16
	// host 268 of 10.12.112.0/20: 10.12.113.12
	// host -1 of 10.12.112.0/20: 10.12.127.255
}

func ExampleCIDRSubnets() {
	ps, err := netplan.CIDRSubnets(netip.MustParsePrefix("10.1.0.0/16"), 4, 4, 8, 4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ps)
	// Output:
	// [10.1.0.0/20 10.1.16.0/20 10.1.32.0/24 10.1.48.0/20]
}

// The three-tier Net of seed 000 on OUTSCALE: a public web tier and
// private app and db tiers, each in two subregions.
func ExamplePlanner_Allocate() {
	zones := []string{"a", "b"}
	planner := netplan.NewPlanner(netplan.MustParsePrefix("10.0.0.0/16"), netplan.Outscale)
	plan, err := planner.Allocate([]netplan.Request{
		{Name: "web", Bits: 24, Zones: zones},
		{Name: "app", Bits: 24, Zones: zones},
		{Name: "db", Bits: 24, Zones: zones},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(plan.Table())
	fmt.Println("free:", plan.Free)

	// A third subregion later: the existing subnets stay where they are.
	zones = append(zones, "c")
	planner.Pinned = plan.Subnets
	plan, err = planner.Allocate([]netplan.Request{
		{Name: "web", Bits: 24, Zones: zones},
		{Name: "app", Bits: 24, Zones: zones},
		{Name: "db", Bits: 24, Zones: zones},
	})
	if err != nil {
		log.Fatal(err)
	}
	web, _ := plan.Lookup("web", "a")
	webC, _ := plan.Lookup("web", "c")
	fmt.Println("web/a", web, "web/c", webC)
	// Output:
	// NAME  ZONE  CIDR         USABLE
	// web   a     10.0.0.0/24  251
	// web   b     10.0.1.0/24  251
	// app   a     10.0.2.0/24  251
	// app   b     10.0.3.0/24  251
	// db    a     10.0.4.0/24  251
	// db    b     10.0.5.0/24  251
	// free: [10.0.6.0/23 10.0.8.0/21 10.0.16.0/20 10.0.32.0/19 10.0.64.0/18 10.0.128.0/17]
	// web/a 10.0.0.0/24 web/c 10.0.6.0/24
}

func ExampleAllocateNets() {
	plan, err := netplan.AllocateNets(netplan.MustParsePrefix("10.0.0.0/8"), netplan.AWS, []netplan.NetRequest{
		{Name: "prod-eu", Bits: 16},
		{Name: "prod-us", Bits: 16},
		{Name: "staging", Bits: 18},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range plan.Subnets {
		fmt.Println(n)
	}
	// Output:
	// prod-eu 10.0.0.0/16
	// prod-us 10.1.0.0/16
	// staging 10.2.0.0/18
}

func ExampleNoSpaceError() {
	_, err := netplan.NewPlanner(netplan.MustParsePrefix("10.0.0.0/23"), netplan.AWS).
		Allocate([]netplan.Request{{Name: "web", Hosts: 200, Zones: []string{"a", "b", "c"}}})
	var ns *netplan.NoSpaceError
	if errors.As(err, &ns) {
		fmt.Println(ns.Request, ns.Needed, ns.Available)
	}
	fmt.Println(err)
	// Output:
	// web/c 768 512
	// netplan: web/c: /24: no space left in 10.0.0.0/23: requests need 768 addresses, 512 are free, largest free block none; use a shorter parent prefix or smaller subnets
}

func ExampleProfile_CheckNet() {
	fmt.Println(netplan.AWS.CheckNet(netip.MustParsePrefix("10.0.0.0/12")))
	fmt.Println(netplan.AWS.Usable(netip.MustParsePrefix("10.0.0.0/24")))
	// Output:
	// netplan: 10.0.0.0/12: prefix length /12 outside aws net bounds /16-/28; use a /16 or longer
	// 251
}
