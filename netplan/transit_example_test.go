package netplan_test

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/archkit/archkit/netplan"
)

// Seed 003's web app: a public balancer "front" in the tier "public",
// which also holds the NAT gateways; the private app servers behind it
// fetch packages from the internet over HTTPS through the NATs.
func Example_webApp() {
	subnet := func(zone, cidr string) netplan.Subnet {
		return netplan.Subnet{Zone: zone, Prefix: netip.MustParsePrefix(cidr)}
	}
	var flows []netplan.Flow
	for _, s := range []string{"internet -> front tcp/80", "app -> internet tcp/443"} {
		f, err := netplan.ParseFlow(s)
		if err != nil {
			log.Fatal(err)
		}
		flows = append(flows, f)
	}
	topo := netplan.Topology{
		Net:   netip.MustParsePrefix("10.0.0.0/16"),
		Zones: []string{"a", "b"},
		Groups: []netplan.Group{
			{Name: "public", Exposure: netplan.Public, Subnets: []netplan.Subnet{subnet("a", "10.0.0.0/24"), subnet("b", "10.0.1.0/24")}},
			{Name: "app", Exposure: netplan.Private, Subnets: []netplan.Subnet{subnet("a", "10.0.2.0/24"), subnet("b", "10.0.3.0/24")}},
		},
		Balancers: []netplan.Balancer{{Name: "front", Group: "public", Target: "app",
			Listeners: []netplan.Listener{{Protocol: netplan.ProtocolTCP, Port: 80, TargetPort: 8080}}}},
		Flows: flows,
	}
	rules, err := netplan.Derive(topo, netplan.Options{Profile: netplan.AWS, Ephemeral: netplan.LinuxEphemeral})
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range rules.Groups {
		fmt.Printf("sg %s: in %v out %v\n", g.Name, g.Inbound, g.Outbound)
	}
	for _, n := range rules.NATs {
		fmt.Printf("nat %s in %s %s\n", n.Zone, n.Group, n.Prefix)
	}
	fmt.Println("acl public (the balancer's and the NATs' subnets):")
	for _, e := range rules.ACLs[0].Inbound {
		fmt.Println("  inbound ", e)
	}
	for _, e := range rules.ACLs[0].Outbound {
		fmt.Println("  outbound", e)
	}
	for _, q := range []netplan.Query{
		{From: netplan.Internet(), To: "front", Protocol: netplan.ProtocolTCP, Port: 80},
		{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443},
		{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 25},
	} {
		fmt.Printf("%s -> %s %s/%d: %s\n", q.From, q.To, q.Protocol, q.Port, rules.CanReach(q))
	}
	// Output:
	// sg public: in [] out []
	// sg app: in [tcp/8080 group front] out [tcp/443 0.0.0.0/0]
	// sg front: in [tcp/80 0.0.0.0/0] out [tcp/8080 group app]
	// nat a in public 10.0.0.0/24
	// nat b in public 10.0.1.0/24
	// acl public (the balancer's and the NATs' subnets):
	//   inbound  #100 allow tcp/80 0.0.0.0/0
	//   inbound  #200 allow tcp/443 10.0.2.0/23
	//   inbound  #300 allow tcp/1024-65535 0.0.0.0/0
	//   inbound  #32766 deny all 0.0.0.0/0
	//   outbound #100 allow tcp/443 0.0.0.0/0
	//   outbound #200 allow tcp/1024-65535 0.0.0.0/0
	//   outbound #300 allow tcp/8080 10.0.2.0/23
	//   outbound #400 allow tcp/32768-60999 10.0.2.0/23
	//   outbound #32766 deny all 0.0.0.0/0
	// internet -> front tcp/80: allowed
	// app -> internet tcp/443: allowed
	// app -> internet tcp/25: blocked at security-group-out app: no outbound rule allows tcp/25 to 0.0.0.0/0
}
