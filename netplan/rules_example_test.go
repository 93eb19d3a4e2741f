package netplan_test

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/archkit/archkit/netplan"
)

// threeTierExample is seed 000's Net: NGINX fronts, application servers
// and databases, each tier in its own subnets.
func threeTierExample() netplan.Topology {
	var fs []netplan.Flow
	for _, s := range []string{
		"internet -> web tcp/80",
		"internet -> web tcp/443",
		"web -> app tcp/8080",
		"app -> db tcp/3306",
	} {
		f, err := netplan.ParseFlow(s)
		if err != nil {
			log.Fatal(err)
		}
		fs = append(fs, f)
	}
	subnet := func(zone, cidr string) netplan.Subnet {
		return netplan.Subnet{Zone: zone, Prefix: netip.MustParsePrefix(cidr)}
	}
	return netplan.Topology{
		Net:   netip.MustParsePrefix("10.0.0.0/16"),
		Zones: []string{"eu-west-2a"},
		Groups: []netplan.Group{
			{Name: "web", Exposure: netplan.Public, Subnets: []netplan.Subnet{subnet("eu-west-2a", "10.0.0.0/24")}},
			{Name: "app", Exposure: netplan.Private, Subnets: []netplan.Subnet{subnet("eu-west-2a", "10.0.1.0/24")}},
			{Name: "db", Exposure: netplan.Isolated, Subnets: []netplan.Subnet{subnet("eu-west-2a", "10.0.2.0/24")}},
		},
		Flows: fs,
	}
}

func ExampleDerive() {
	rules, err := netplan.Derive(threeTierExample(), netplan.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Inbound {
			fmt.Printf("sg %s: inbound %s\n", g.Name, r)
		}
		for _, r := range g.Outbound {
			fmt.Printf("sg %s: outbound %s\n", g.Name, r)
		}
	}
	for _, e := range rules.ACLs[2].Inbound {
		fmt.Printf("acl db: inbound %s\n", e)
	}
	for _, e := range rules.ACLs[2].Outbound {
		fmt.Printf("acl db: outbound %s\n", e)
	}
	for _, rt := range rules.RouteTables {
		for _, r := range rt.Routes {
			fmt.Printf("routes %s/%s: %s -> %s\n", rt.Group, rt.Zone, r.Destination, r.Target)
		}
	}
	// Output:
	// sg web: inbound tcp/80 0.0.0.0/0
	// sg web: inbound tcp/443 0.0.0.0/0
	// sg web: outbound tcp/8080 group app
	// sg app: inbound tcp/8080 group web
	// sg app: outbound tcp/3306 group db
	// sg db: inbound tcp/3306 group app
	// acl db: inbound #100 allow tcp/3306 10.0.1.0/24
	// acl db: inbound #32766 deny all 0.0.0.0/0
	// acl db: outbound #100 allow tcp/1024-65535 10.0.1.0/24
	// acl db: outbound #32766 deny all 0.0.0.0/0
	// routes web/eu-west-2a: 10.0.0.0/16 -> local
	// routes web/eu-west-2a: 0.0.0.0/0 -> internet-gateway
	// routes app/eu-west-2a: 10.0.0.0/16 -> local
	// routes app/eu-west-2a: 0.0.0.0/0 -> nat(eu-west-2a)
	// routes db/eu-west-2a: 10.0.0.0/16 -> local
}

func ExampleRules_CanReach() {
	rules, err := netplan.Derive(threeTierExample(), netplan.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range []netplan.Query{
		{From: netplan.Internet(), To: "web", Protocol: netplan.ProtocolTCP, Port: 443},
		{From: netplan.Tier("web"), To: "app", Protocol: netplan.ProtocolTCP, Port: 8080},
		{From: netplan.Tier("app"), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306},
		{From: netplan.Internet(), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306},
		{From: netplan.Tier("web"), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306},
		{From: netplan.Internet(), To: "app", Protocol: netplan.ProtocolTCP, Port: 8080},
	} {
		fmt.Printf("%s -> %s %s/%d: %s\n", q.From, q.To, q.Protocol, q.Port, rules.CanReach(q))
	}
	v := rules.CanReach(netplan.Query{From: netplan.Tier("app"), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306})
	for _, s := range v.Steps {
		fmt.Println("  ", s)
	}
	// Output:
	// internet -> web tcp/443: allowed
	// web -> app tcp/8080: allowed
	// app -> db tcp/3306: allowed
	// internet -> db tcp/3306: blocked at route db/eu-west-2a: no route to 0.0.0.0/0
	// web -> db tcp/3306: blocked at security-group-out web: no outbound rule allows tcp/3306 to 10.0.2.0/24
	// internet -> app tcp/8080: blocked at route app/eu-west-2a: 0.0.0.0/0 goes to nat(eu-west-2a), not internet-gateway
	//    security-group-out app: tcp/3306 group db
	//    acl-out app: #200 allow tcp/3306 10.0.2.0/24
	//    route app/eu-west-2a: 10.0.0.0/16 -> local
	//    acl-in db: #100 allow tcp/3306 10.0.1.0/24
	//    security-group-in db: tcp/3306 group app
	//    acl-return-out db: #100 allow tcp/1024-65535 10.0.1.0/24
	//    acl-return-in app: #100 allow tcp/1024-65535 10.0.2.0/24
}

func ExampleRules_Reachers() {
	rules, err := netplan.Derive(threeTierExample(), netplan.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, tier := range []string{"web", "app", "db"} {
		fmt.Println(tier, rules.Reachers(tier))
	}
	// Output:
	// web [internet tcp/80 internet tcp/443]
	// app [web tcp/8080]
	// db [app tcp/3306]
}

func ExampleParseFlow() {
	f, err := netplan.ParseFlow("web -> internet tcp/80-443 # payment provider")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.From, "|", f.To, "|", f.Protocol, "|", f.Ports, "|", f.Description)
	_, err = netplan.ParseFlow("web -> app tcp/0-80")
	fmt.Println(err)
	// Output:
	// web | internet | tcp | 80-443 | payment provider
	// netplan: flow.ports: 0-80: port 0 is not allowed; use 1-65535
}
