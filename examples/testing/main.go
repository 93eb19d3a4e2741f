// Command testing is a deploy program of the kind a team writes for its own
// service, and main_test.go shows how to unit-test it without a cloud
// account: the Blueprint checked before anything is applied (package
// pattern/patterntest), then applied to provider/fake, the in-memory
// driver that behaves like the clouds, with injected failures and
// throttling. Neither needs an option to be fast: the fake tells the
// engine it is local.
//
// The program declares its architecture with the typed builders (a public
// load balancer in front of an "api" cluster, a PostgreSQL database the
// api alone reaches, HTTPS out to a payment provider) and hands it to
// package provider/deploy, which gives it the flags, the plan, the
// confirmation, the progress display and the JSON:
//
//	go run ./examples/testing                      # on the fake
//	go run ./examples/testing -plan                # what an apply would change
//	go run ./examples/testing -plan -json          # the same, as JSON
//	go run -tags cloud ./examples/testing -provider aws -region eu-west-3 -image ami-0123abcd
//	go test ./examples/testing                     # the tests to copy
//
// Copy architecture into your program, and main_test.go next to it.
package main

import (
	"flag"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/tier"
)

var name = flag.String("name", "shop", "the deployment name, the ownership tag of every resource")

func main() { deploy.Main(architecture, deploy.Subnets, deploy.SecurityGroups) }

// architecture is the service: a public load balancer "front" in the edge
// subnets forwarding HTTP to the api cluster on 8080, the api talking to
// PostgreSQL and, through a NAT, to a payment provider on tcp/443. The
// builders validate nothing: Build reports every problem at once.
func architecture(t deploy.Target) (*pattern.Architecture, error) {
	api := tier.NewCluster("api", t.Image, "t3.small")
	api.Min, api.Desired, api.Max = 2, 2, 4

	db := tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")
	db.MultiAZ = true
	db.BackupRetentionDays = 7

	return pattern.New(*name, "10.20.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("api"), tier.PostgreSQL("db")).
		AddLB(tier.PublicLB("front", "edge", "api", 8080)).
		AddCluster(api).
		AddDatabase(db).
		Connect("api", "db").
		Flow("api -> internet tcp/443 # the payment provider"), nil
}
