package pattern_test

import (
	"fmt"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// Two OUTSCALE regions, whose Nets Net peering cannot join, linked by a
// VPN: the hub's app tier calls the spoke's api tier. The hub gets a VPN
// gateway, a customer gateway standing for the spoke's appliance and a
// VPN connection; the spoke an appliance VM with its public IP and group;
// each side routes the other's subnets to its end of the link.
func ExampleMultiRegion_LinkVPN() {
	m := pattern.Regions("shop", "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api := tier.App("app"), tier.App("api")
		app.Exposure, api.Exposure = netplan.Isolated, netplan.Isolated
		a := pattern.New("shop", "10.0.0.0/16").AddTier(tier.Web("web"), app, api).Connect("web", "app")
		a.Profile = netplan.Outscale
		return a
	}).Primary("eu-west-2").Recovery("us-east-2", pattern.PilotLight).
		LinkVPN("eu-west-2", "us-east-2", pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).
		Flow("app@eu-west-2 -> api@us-east-2 tcp/8080")
	bps, err := m.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, region := range m.Regions() {
		fmt.Println(region + ":")
		for _, r := range bps[region].Resources {
			switch r.Kind {
			case blueprint.KindVPNGateway, blueprint.KindCustomerGateway, blueprint.KindVPNAppliance:
				fmt.Println(" ", r.ID)
			case blueprint.KindVPNConnection:
				fmt.Println(" ", r.ID, "static routes", r.VPNConnection.StaticRoutes)
			case blueprint.KindRouteTable:
				for _, rt := range r.RouteTable.Routes {
					if rt.TargetKind == netplan.TargetVPNGateway || rt.TargetKind == netplan.TargetVPNAppliance {
						fmt.Println(" ", r.ID, rt.Destination, "->", rt.Target)
					}
				}
			}
		}
	}
	// Output:
	// eu-west-2:
	//   customer_gateway/vpn-eu-west-2-us-east-2
	//   route_table/app/a 10.1.4.0/24 -> vpn_gateway/eu-west-2
	//   route_table/app/a 10.1.5.0/24 -> vpn_gateway/eu-west-2
	//   route_table/app/b 10.1.4.0/24 -> vpn_gateway/eu-west-2
	//   route_table/app/b 10.1.5.0/24 -> vpn_gateway/eu-west-2
	//   vpn_connection/vpn-eu-west-2-us-east-2 static routes [10.1.4.0/24 10.1.5.0/24]
	//   vpn_gateway/eu-west-2
	// us-east-2:
	//   route_table/api/a 10.0.2.0/24 -> vpn_appliance/eu-west-2-us-east-2
	//   route_table/api/a 10.0.3.0/24 -> vpn_appliance/eu-west-2-us-east-2
	//   route_table/api/b 10.0.2.0/24 -> vpn_appliance/eu-west-2-us-east-2
	//   route_table/api/b 10.0.3.0/24 -> vpn_appliance/eu-west-2-us-east-2
	//   vpn_appliance/eu-west-2-us-east-2
}
