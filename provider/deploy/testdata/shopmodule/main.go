// Command shop deploys the shop: go run . [-plan] [-destroy] [-json]
package main

import (
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/tier"
)

func main() { deploy.Main(shop, deploy.Subnets, deploy.SecurityGroups) }

func shop(t deploy.Target) (*pattern.Architecture, error) {
	return pattern.New("shop", "10.20.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("api"), tier.PostgreSQL("db"), tier.Redis("cache")).
		AddLB(tier.PublicLB("front", "edge", "api", 8080)).
		AddCluster(tier.NewCluster("api", t.Image, "t3.small"), tier.NewCluster("cache", t.Image, "t3.small")).
		AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).
		Connect("api", "db").Connect("api", "cache").Connect("api", "internet", 443), nil
}
