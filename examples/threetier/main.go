// Command threetier builds the three-tier Net on OUTSCALE (NGINX
// fronts, the "intel" application, MySQL, in two zones), prints its subnet
// plan, its security-group rules, its lint findings, its availability and a
// Mermaid diagram, and applies it: by default to the in-memory fake, where
// it then applies it again (no change) and destroys it.
//
//	go run ./examples/threetier                        # on the fake: no account needed
//	go run ./examples/threetier -json                  # the Blueprint, as JSON
//	go run ./examples/threetier -provider outscale -region eu-west-2 -plan
//	go run ./examples/threetier -provider outscale -region eu-west-2 -image ami-0123abcd
//	go run ./examples/threetier -provider aws -profile prod -region eu-west-3 -destroy
//	go run ./examples/threetier -png threetier.png     # needs Graphviz's dot
//
// With -provider aws or outscale it uses each SDK's usual credentials:
// AWS_PROFILE, AWS_REGION and ~/.aws for aws; OSC_ACCESS_KEY,
// OSC_SECRET_KEY, OSC_REGION and ~/.osc/config.json for outscale.
package main

import (
	"bytes"
	"context"
	"flag"
	"log"
	"os"
	"os/exec"

	"github.com/archkit/archkit/examples/internal/cli"
	"github.com/archkit/archkit/examples/internal/show"
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
)

func main() {
	png := flag.String("png", "", "write the diagram as a PNG to this file (needs dot)")
	flags := cli.Parse()

	arch := architecture(flags.NetProfile(), flags.Image)
	if *png != "" && !flags.JSON {
		if err := writePNG(arch, *png); err != nil {
			log.Fatal(err)
		}
	}
	// A node up 99% of the time, a zone 99.99%; the request path is the
	// three tiers in series.
	if err := cli.Execute(context.Background(), os.Stdout, flags, arch,
		show.Subnets, show.SecurityGroups, show.Resources, show.Findings,
		show.Availability(0.99, 0.9999, "nginx", "intel", "db"), show.Diagram, show.Billable); err != nil {
		log.Fatal(err)
	}
}

// architecture is the three-tier Net with a bastion reachable from one admin block,
// planned within the limits of the target cloud.
func architecture(profile netplan.Profile, image string) *pattern.Architecture {
	return pattern.ThreeTier(pattern.ThreeTierOptions{
		Name:         "shop",
		Profile:      profile,
		AdminCIDR:    netplan.MustParsePrefix("203.0.113.0/24"),
		WebImage:     image,
		AppImage:     image,
		DBImage:      image,
		BastionImage: image,
	})
}

// writePNG renders the Graphviz diagram with dot, when it is installed.
func writePNG(arch *pattern.Architecture, path string) error {
	dot, err := exec.LookPath("dot")
	if err != nil {
		log.Printf("dot not found: no PNG written (install Graphviz)")
		return nil
	}
	src, err := arch.DOT()
	if err != nil {
		return err
	}
	cmd := exec.Command(dot, "-Tpng", "-o", path)
	cmd.Stdin = bytes.NewReader([]byte(src))
	cmd.Stderr = os.Stderr
	return cmd.Run()
}
