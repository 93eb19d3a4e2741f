// Command webapp builds seed 003's web application migrated to AWS: an
// Application Load Balancer in the public subnets of two zones, the
// application (Tomcat on 8080) in an autoscaling group in private subnets,
// MySQL as a managed Multi-AZ database in isolated subnets. It prints the
// subnet plan, the security groups, the load balancer, the lint findings and
// the availability, and applies the architecture: by default to the
// in-memory fake, where it then applies it again (no change) and destroys it.
//
//	go run ./examples/webapp                     # on the fake: no account needed
//	go run ./examples/webapp -json               # the Blueprint, as JSON
//	go run ./examples/webapp -plan               # what an apply would change
//	go run ./examples/webapp -provider aws -profile prod -region eu-west-3 -image ami-0123abcd
//	go run ./examples/webapp -provider aws -profile prod -region eu-west-3 -destroy
//
// Against an AWS emulator such as moto_server (make test starts one):
//
//	moto_server -H 127.0.0.1 -p 5000 &
//	go run ./examples/webapp -provider aws -endpoint http://127.0.0.1:5000 -cleanup
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
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/archkit/archkit/examples/internal/cli"
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/tier"
)

func main() {
	name := flag.String("name", "webapp", "the deployment name, the ownership tag of every resource")
	image := flag.String("image", "ami-12c6146b", "the AMI of the application nodes; set one of your account before applying to a cloud")
	flags := cli.Register(nil)
	flag.Parse()
	log.SetFlags(0)
	if err := flags.Validate(); err != nil {
		log.Fatal(err)
	}

	arch := architecture(*name, flags.NetProfile(), *image)
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	w := os.Stdout
	if flags.JSON || flags.Destroy {
		if err := cli.Run(ctx, w, flags, bp); err != nil {
			log.Fatal(err)
		}
		return
	}
	for _, step := range []func(io.Writer, *pattern.Architecture, *pattern.Blueprint) error{
		printPlan, printSecurityGroups, printLoadBalancers, printAppAndDatabase, printFindings, printAvailability,
	} {
		if err := step(w, arch, bp); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "## Deployment\n\n")
	if err := cli.Run(ctx, w, flags, bp); err != nil {
		log.Fatal(err)
	}
}

// architecture is seed 003 as pattern.WebApp builds it: the load balancer
// is the only public thing, the database is never reachable from outside.
func architecture(name string, profile netplan.Profile, image string) *pattern.Architecture {
	return pattern.WebApp(pattern.WebAppOptions{
		Name:     name,
		Profile:  profile,
		Image:    image,
		UserData: tier.Secret("#!/bin/sh\nexec java -jar /opt/tipster/api.jar --server.port=8080\n"),
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
	fmt.Fprintln(tw, "GROUP\tDIRECTION\tRULE")
	for _, r := range bp.OfKind(pattern.KindSecurityGroupRules) {
		s := r.SecurityGroupRules
		group := strings.TrimPrefix(string(s.Group), "security_group/")
		for _, rule := range s.Inbound {
			fmt.Fprintf(tw, "%s\tin\t%s\n", group, provider.RuleString(rule, true))
		}
		for _, rule := range s.Outbound {
			fmt.Fprintf(tw, "%s\tout\t%s\n", group, provider.RuleString(rule, false))
		}
	}
	return tw.Flush()
}

func printLoadBalancers(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	for _, r := range bp.OfKind(pattern.KindLoadBalancer) {
		lb := r.LoadBalancer
		fmt.Fprintf(w, "## Load balancer %s (%s, %s) in %d subnets\n\n", lb.Name, lb.Type, lb.Scheme, len(lb.Subnets))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LISTENER\tFORWARDS TO")
		for _, l := range lb.Listeners {
			fmt.Fprintf(tw, "%s %d\t%s %d\n", l.Protocol, l.Port, l.TargetProtocol, l.TargetPort)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		h := lb.HealthCheck
		fmt.Fprintf(w, "\nhealth check: %s %d %s every %ds (timeout %ds), healthy after %d, unhealthy after %d\n",
			h.Protocol, h.Port, h.Path, h.IntervalSeconds, h.TimeoutSeconds, h.HealthyThreshold, h.UnhealthyThreshold)
	}
	return nil
}

func printAppAndDatabase(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	fmt.Fprint(w, "## Application and database\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range bp.OfKind(pattern.KindCluster) {
		c := r.Cluster
		scaling := "fixed size"
		if c.Scaling != nil {
			scaling = fmt.Sprintf("keeps %d%% CPU", c.Scaling.TargetCPUPercent)
		}
		fmt.Fprintf(tw, "%s\t%s %s, %d to %d nodes (desired %d), %s, over %d subnets\n",
			r.ID, c.Image, c.InstanceType, c.Min, c.Max, c.Desired, scaling, len(c.Subnets))
	}
	for _, r := range bp.OfKind(pattern.KindDatabase) {
		d := r.Database
		fmt.Fprintf(tw, "%s\t%s %s on %d, Multi-AZ %t, backups %d days, encrypted %t, over %d subnets\n",
			r.ID, d.Engine, d.InstanceClass, d.Port, d.MultiAZ, d.BackupRetentionDays, d.Encrypted, len(d.Subnets))
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
	// A node up 99% of the time, a zone 99.99%; the path is every tier
	// that runs something, each behind its load balancer.
	r, err := arch.Availability(0.99, 0.9999)
	if err != nil {
		return err
	}
	fmt.Fprint(w, "## Availability (node 99%, zone 99.99%)\n\n", r)
	return nil
}
