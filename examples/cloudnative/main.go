// Command cloudnative builds the cloud-native application: every
// service a cluster of at least two stateless nodes behind its own load
// balancer (nginx fronts behind a public one, the application behind an
// internal one), a message bus cluster (RabbitMQ or Kafka) for asynchronous
// work, and a database cluster of VMs, over two zones. It prints the subnet
// plan, the security groups, the clusters with their scale-out policy, the
// lint findings, the availability of each tier and of the request path
// (the bus is asynchronous, so not on it), and the document's downtime-per-year
// table; then it applies the architecture, by default to the in-memory
// fake.
//
//	go run ./examples/cloudnative                   # on the fake: no account needed
//	go run ./examples/cloudnative -bus kafka -nodes 3
//	go run ./examples/cloudnative -node-availability 0.995 -zone-availability 0.99995
//	go run ./examples/cloudnative -plan             # the changes an apply would make
//	go run ./examples/cloudnative -blueprint        # the Blueprint, as JSON
//	go run -tags cloud ./examples/cloudnative -provider outscale -region eu-west-2 -image ami-0123abcd -plan
//
// The cloud-native document is written for OUTSCALE, which has no autoscaling service: with
// -provider outscale the nodes stay at their desired count and the
// progress display says so. With -provider aws or outscale it uses each
// SDK's usual credentials: AWS_PROFILE, AWS_REGION and ~/.aws for aws;
// OSC_ACCESS_KEY, OSC_SECRET_KEY, OSC_REGION and ~/.osc/config.json for
// outscale.
package main

import (
	"flag"
	"fmt"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider/deploy"
)

var (
	bus          = flag.String("bus", string(pattern.BusRabbitMQ), "the message bus: rabbitmq (AMQP) or kafka")
	instanceType = flag.String("instance-type", "", "the VM type of every node (default: OUTSCALE's tinav5.c2r4p2, t3.medium with -provider aws)")
	nodes        = flag.Int("nodes", 2, "nodes of each stateless cluster, spread over the zones")
	node         = flag.Float64("node-availability", 0.99, "the availability of one node, for the arithmetic")
	zone         = flag.Float64("zone-availability", 0.9999, "the availability of one zone, for the arithmetic")
)

// path is the request path: a request crosses both load balancers, both
// stateless tiers and the database; the application hands slow work to the
// bus and does not wait for it, so a bus outage delays work but fails no
// request.
var path = []string{"web-lb", "web", "app-lb", "app", "db"}

func main() {
	deploy.Main(architecture, deploy.Subnets, deploy.SecurityGroups, deploy.LoadBalancers, deploy.Clusters,
		deploy.Findings, availability(deploy.Availability), availability(deploy.Nines), deploy.Billable)
}

// availability returns a section computed with the availability flags,
// read when it runs.
func availability(section func(node, zone pattern.Availability, path ...string) deploy.Section) deploy.Section {
	return deploy.Lazy(func() deploy.Section {
		return section(pattern.Availability(*node), pattern.Availability(*zone), path...)
	})
}

func architecture(t deploy.Target) (*pattern.Architecture, error) {
	if *bus != string(pattern.BusRabbitMQ) && *bus != string(pattern.BusKafka) {
		return nil, fmt.Errorf("-bus: %q: unknown bus; use rabbitmq or kafka", *bus)
	}
	// The cloud-native document is written for OUTSCALE: its VM types mean
	// nothing to AWS.
	if *instanceType == "" && t.Provider == "aws" {
		*instanceType = "t3.medium"
	}
	return pattern.CloudNative(pattern.CloudNativeOptions{
		Bus:          pattern.Bus(*bus),
		Nodes:        *nodes,
		InstanceType: *instanceType,
		WebImage:     t.Image,
		AppImage:     t.Image,
		BusImage:     t.Image,
		DBImage:      t.Image,
	}), nil
}
