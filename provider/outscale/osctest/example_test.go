package osctest_test

import (
	"context"
	"fmt"
	"log"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// Example starts a server outside a test, creates a Net with the real SDK and
// shows what the server made for it.
func Example() {
	s, err := osctest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: s.URL()}}
	client := osc.NewAPIClient(cfg)
	ctx := context.WithValue(context.Background(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})

	res, _, err := client.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Net.GetNetId(), res.Net.GetState())
	rts, _, err := client.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{}).Execute()
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rts.GetRouteTables()[0].GetRoutes() {
		fmt.Println(r.GetDestinationIpRange(), r.GetGatewayId(), r.GetState())
	}
	fmt.Println(s.Count("net"), s.Count("route_table"), s.Count("security_group"), len(s.Violations()))
	// Output:
	// vpc-00000001 available
	// 10.0.0.0/16 local active
	// 1 0 0 0
}
