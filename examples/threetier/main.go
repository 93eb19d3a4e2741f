// Command threetier builds seed 000's three-tier architecture (NGINX
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
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"

	"github.com/archkit/archkit/examples/internal/cli"
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
)

func main() {
	png := flag.String("png", "", "write the diagram as a PNG to this file (needs dot)")
	image := flag.String("image", "ami-12c6146b", "the image (AMI or OMI) of every node; set one of your account before applying to a cloud")
	flags := cli.Register(nil)
	flag.Parse()
	log.SetFlags(0)
	if err := flags.Validate(); err != nil {
		log.Fatal(err)
	}

	arch := architecture(flags.NetProfile(), *image)
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	w := os.Stdout
	if flags.JSON || flags.Destroy {
		if err := cli.Run(context.Background(), w, flags, bp); err != nil {
			log.Fatal(err)
		}
		return
	}
	for _, step := range []func(io.Writer, *pattern.Architecture, *pattern.Blueprint) error{
		printPlan, printSecurityGroups, printResources, printFindings, printAvailability, printDiagram,
	} {
		if err := step(w, arch, bp); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintln(w)
	}
	if *png != "" {
		if err := writePNG(arch, *png); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Fprint(w, "## Deployment\n\n")
	if err := cli.Run(context.Background(), w, flags, bp); err != nil {
		log.Fatal(err)
	}
}

// architecture is seed 000 with a bastion reachable from one admin block,
// planned within the limits of the target cloud.
func architecture(profile netplan.Profile, image string) *pattern.Architecture {
	return pattern.ThreeTier(pattern.ThreeTierOptions{
		Name:      "shop",
		Profile:   profile,
		AdminCIDR: netplan.MustParsePrefix("203.0.113.0/24"),
		WebImage:  image,
		AppImage:  image,
		DBImage:   image,
	})
}

func printPlan(w io.Writer, arch *pattern.Architecture, _ *pattern.Blueprint) error {
	plan, err := arch.Plan()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Subnets of %s\n\n", arch.CIDR)
	return plan.WriteTable(w)
}

func printSecurityGroups(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	fmt.Fprint(w, "## Security groups\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tDIRECTION\tPROTOCOL\tPORTS\tPEER")
	for _, r := range bp.OfKind(pattern.KindSecurityGroupRules) {
		s := r.SecurityGroupRules
		group := strings.TrimPrefix(string(s.Group), "security_group/")
		for _, dir := range []struct {
			name  string
			rules []pattern.RuleSpec
		}{{"in", s.Inbound}, {"out", s.Outbound}} {
			for _, rule := range dir.rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", group, dir.name, rule.Protocol, ports(rule), peer(rule))
			}
		}
	}
	return tw.Flush()
}

func ports(r pattern.RuleSpec) string {
	switch {
	case r.FromPort == 0:
		return "all"
	case r.FromPort == r.ToPort:
		return fmt.Sprint(r.FromPort)
	}
	return fmt.Sprintf("%d-%d", r.FromPort, r.ToPort)
}

func peer(r pattern.RuleSpec) string {
	if r.Group != "" {
		return "group " + strings.TrimPrefix(string(r.Group), "security_group/")
	}
	return r.CIDR.String()
}

func printResources(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	fmt.Fprintf(w, "## Blueprint of %q: %d resources\n\n", bp.Deployment, len(bp.Resources))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range pattern.Kinds {
		if rs := bp.OfKind(k); len(rs) > 0 {
			var ids []string
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\n", k, len(rs), strings.Join(ids, " "))
		}
	}
	return tw.Flush()
}

func printFindings(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	fmt.Fprint(w, "## Lint\n\n")
	if len(bp.Findings) == 0 {
		fmt.Fprintln(w, "no findings")
	}
	for _, f := range bp.Findings {
		fmt.Fprintln(w, f)
	}
	return nil
}

func printAvailability(w io.Writer, arch *pattern.Architecture, _ *pattern.Blueprint) error {
	// A node up 99% of the time, a zone 99.99%.
	r, err := arch.Availability(0.99, 0.9999, "nginx", "intel", "db")
	if err != nil {
		return err
	}
	fmt.Fprint(w, "## Availability (node 99%, zone 99.99%)\n\n", r)
	return nil
}

func printDiagram(w io.Writer, arch *pattern.Architecture, _ *pattern.Blueprint) error {
	m, err := arch.Mermaid()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Diagram\n\n```mermaid\n%s```\n", m)
	return nil
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
