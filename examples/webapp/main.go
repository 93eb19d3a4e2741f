// Command webapp builds the web app migrated to AWS: an
// Application Load Balancer in the public subnets of two zones, the
// application (Tomcat on 8080) in an autoscaling group in private subnets,
// MySQL as a managed Multi-AZ database in isolated subnets. It prints the
// subnet plan, the security groups, the load balancer, the lint findings and
// the availability, and applies the architecture: by default to the
// in-memory fake, where it then applies it again (no change) and destroys it.
//
//	go run ./examples/webapp                     # on the fake: no account needed
//	go run ./examples/webapp -plan               # what an apply would change
//	go run ./examples/webapp -plan -json         # the same, as JSON
//	go run -tags cloud ./examples/webapp -provider aws -profile prod -region eu-west-3 -image ami-0123abcd
//	go run -tags cloud ./examples/webapp -provider aws -profile prod -region eu-west-3 -destroy -allow-data-loss database/db
//
// Against an AWS emulator such as moto_server (make test starts one):
//
//	moto_server -H 127.0.0.1 -p 5000 &
//	go run -tags cloud ./examples/webapp -provider aws -endpoint http://127.0.0.1:5000 -cleanup
//
// -cleanup applies, applies again (which must write nothing) and destroys,
// the whole life of a deployment in one run, as on the fake. With an
// -endpoint on 127.0.0.1 or localhost and nothing configured, the example
// uses the region us-east-1 and the static credentials "testing" that
// emulators accept, and says so on stderr; it never does that for any other
// endpoint, so a real account is only reached with credentials of your own
// (AWS_PROFILE, AWS_ACCESS_KEY_ID..., ~/.aws).
package main

import (
	"flag"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/tier"
)

var name = flag.String("name", "webapp", "the deployment name, the ownership tag of every resource")

func main() {
	// A node up 99% of the time, a zone 99.99%; the request path is every
	// tier that runs something, each behind its load balancer.
	deploy.Main(architecture, deploy.Subnets, deploy.SecurityGroups, deploy.LoadBalancers, deploy.Clusters,
		deploy.Findings, deploy.Availability(0.99, 0.9999), deploy.Billable)
}

// architecture is the web app migrated to AWS as pattern.WebApp builds it:
// the load balancer is the only public thing, the database is never
// reachable from outside.
func architecture(t deploy.Target) (*pattern.Architecture, error) {
	return pattern.WebApp(pattern.WebAppOptions{
		Name:     *name,
		Image:    t.Image,
		DBImage:  t.Image, // for the database cluster built on a cloud without RDS (OUTSCALE)
		UserData: tier.Secret("#!/bin/sh\nexec java -jar /opt/tipster/api.jar --server.port=8080\n"),
	}), nil
}
