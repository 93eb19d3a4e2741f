package fake_test

import (
	"context"
	"fmt"
	"log"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// Two regions of one fake account, their Nets linked by a flow: the
// Fleet applies both, and each region holds its side of one active
// peering connection.
func ExampleAccount() {
	ctx := context.Background()
	acct := fake.NewAccount()
	fleet, err := provider.NewFleet(map[string]driver.Driver{
		"eu-west-3": acct.Region("eu-west-3"),
		"eu-west-1": acct.Region("eu-west-1"),
	})
	if err != nil {
		log.Fatal(err)
	}
	m := pattern.Regions("shop", "10.0.0.0/8", func(string) *pattern.Architecture {
		api := tier.App("api")
		api.Exposure = netplan.Isolated // no route out: no NAT
		return pattern.New("shop", "10.0.0.0/16").AddTier(api)
	}).Primary("eu-west-3").Recovery("eu-west-1", pattern.PilotLight).
		Link("eu-west-3", "eu-west-1").
		Flow("api@eu-west-3 -> api@eu-west-1 tcp/8080")
	if _, err := fleet.Apply(ctx, m); err != nil {
		log.Fatal(err)
	}
	for _, r := range acct.Regions() {
		obs, err := acct.Region(r).List(ctx, driver.Query{Deployment: "shop", Kind: blueprint.KindNetPeering})
		if err != nil {
			log.Fatal(err)
		}
		for _, o := range obs {
			fmt.Printf("%s: %s accepter=%v %s\n", r, o.LogicalID, o.Resource.NetPeering.Accepter, o.Status)
		}
	}
	// Output:
	// eu-west-1: net_peering/eu-west-3-eu-west-1 accepter=true active
	// eu-west-3: net_peering/eu-west-3-eu-west-1 accepter=false active
}
