// Command threetier builds the three-tier Net on OUTSCALE (NGINX
// fronts, the "intel" application, MySQL, in two zones), prints its subnet
// plan, its security-group rules, its lint findings, its availability and a
// Mermaid diagram, and applies it: by default to the in-memory fake, where
// it then applies it again (no change) and destroys it.
//
//	go run ./examples/threetier                        # on the fake: no account needed
//	go run ./examples/threetier -plan -json            # the plan, as JSON
//	go run ./examples/threetier -blueprint             # the Blueprint, as JSON
//	go run ./examples/threetier -diagram shop.mmd      # the diagram (.dot too)
//	go run -tags graphviz ./examples/threetier -diagram shop.svg
//	go run -tags cloud ./examples/threetier -provider outscale -region eu-west-2 -plan
//	go run -tags cloud ./examples/threetier -provider outscale -region eu-west-2 -image ami-0123abcd
//	go run -tags cloud ./examples/threetier -provider aws -profile prod -region eu-west-3 -destroy -allow-data-loss cluster/db
//
// The flags, the confirmation, the progress display, the JSON and the exit
// statuses are package provider/deploy's. The cloud drivers are compiled
// only with -tags cloud (cloud.go); with -provider aws or outscale they use
// each SDK's usual credentials: AWS_PROFILE, AWS_REGION and ~/.aws for
// aws; OSC_ACCESS_KEY, OSC_SECRET_KEY, OSC_REGION and ~/.osc/config.json
// for outscale.
package main

import (
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider/deploy"
)

func main() {
	// A node up 99% of the time, a zone 99.99%; the request path is the
	// three tiers in series.
	deploy.Main(architecture, deploy.Subnets, deploy.SecurityGroups, deploy.Resources, deploy.Findings,
		deploy.Availability(0.99, 0.9999, "nginx", "intel", "db"), deploy.Diagram, deploy.Billable)
}

// architecture is the three-tier Net with a bastion reachable from one
// admin block; the run plans it within the limits of the target cloud.
func architecture(t deploy.Target) (*pattern.Architecture, error) {
	return pattern.ThreeTier(pattern.ThreeTierOptions{
		Name:         "shop",
		AdminCIDR:    netplan.MustParsePrefix("203.0.113.0/24"),
		WebImage:     t.Image,
		AppImage:     t.Image,
		DBImage:      t.Image,
		BastionImage: t.Image,
	}), nil
}
