// Package show prints the parts of an architecture the examples display:
// each function writes one "## Title" section (a subnet plan, the security
// groups, the load balancers...) as aligned text or Markdown.
//
//	err := show.Sections(os.Stdout, arch, bp, show.Subnets, show.SecurityGroups, show.Findings)
package show

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

// A Section writes one part of an architecture to w.
type Section func(w io.Writer, arch *pattern.Architecture, bp *blueprint.Blueprint) error

// Sections writes each section, a blank line after each, and stops at the
// first error.
func Sections(w io.Writer, arch *pattern.Architecture, bp *blueprint.Blueprint, sections ...Section) error {
	for _, s := range sections {
		if err := s(w, arch, bp); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}

func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// Subnets writes the address plan: one subnet per tier and zone.
func Subnets(w io.Writer, arch *pattern.Architecture, _ *blueprint.Blueprint) error {
	plan, err := arch.Plan()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Subnets of %s\n\n", arch.CIDR)
	return plan.WriteTable(w)
}

// SecurityGroups writes every derived security-group rule, a line each.
func SecurityGroups(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	fmt.Fprint(w, "## Security groups\n\n")
	tw := table(w)
	fmt.Fprintln(tw, "GROUP\tDIRECTION\tRULE")
	for _, r := range bp.OfKind(blueprint.KindSecurityGroupRules) {
		s := r.SecurityGroupRules
		group := strings.TrimPrefix(string(s.Group), "security_group/")
		for _, rule := range s.Inbound {
			fmt.Fprintf(tw, "%s\tin\t%s\n", group, rule.Text(true))
		}
		for _, rule := range s.Outbound {
			fmt.Fprintf(tw, "%s\tout\t%s\n", group, rule.Text(false))
		}
	}
	return tw.Flush()
}

// LoadBalancers writes each load balancer's listeners and health check.
func LoadBalancers(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	for i, r := range bp.OfKind(blueprint.KindLoadBalancer) {
		if i > 0 {
			fmt.Fprintln(w)
		}
		lb := r.LoadBalancer
		fmt.Fprintf(w, "## Load balancer %s (%s, %s) in %d subnets\n\n", lb.Name, lb.Type, lb.Scheme, len(lb.Subnets))
		tw := table(w)
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

// Clusters writes the clusters (image, size, scaling) and the managed
// databases.
func Clusters(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	fmt.Fprint(w, "## Clusters and databases\n\n")
	tw := table(w)
	for _, r := range bp.OfKind(blueprint.KindCluster) {
		c := r.Cluster
		scaling := "fixed size"
		if c.Scaling != nil {
			scaling = fmt.Sprintf("scales to keep %d%% CPU", c.Scaling.TargetCPUPercent)
		}
		fmt.Fprintf(tw, "%s\t%s %s, %d to %d nodes (desired %d), %s, over %d subnets\n",
			r.ID, c.Image, c.InstanceType, c.Min, c.Max, c.Desired, scaling, len(c.Subnets))
	}
	for _, r := range bp.OfKind(blueprint.KindDatabase) {
		d := r.Database
		fmt.Fprintf(tw, "%s\t%s %s on %d, Multi-AZ %t, %d read replicas, backups %d days, encrypted %t, over %d subnets\n",
			r.ID, d.Engine, d.InstanceClass, d.Port, d.MultiAZ, replicasOf(bp, r.ID), d.BackupRetentionDays, d.Encrypted, len(d.Subnets))
	}
	return tw.Flush()
}

// replicasOf counts the read replicas of database id in bp.
func replicasOf(bp *blueprint.Blueprint, id string) int {
	n := 0
	for _, r := range bp.OfKind(blueprint.KindDatabaseReplica) {
		if string(r.DatabaseReplica.Source) == id {
			n++
		}
	}
	return n
}

// Resources writes how many resources of each kind the Blueprint holds,
// with their ids.
func Resources(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	fmt.Fprintf(w, "## Blueprint of %q: %d resources\n\n", bp.Deployment, len(bp.Resources))
	tw := table(w)
	for _, k := range blueprint.Kinds {
		if rs := bp.OfKind(k); len(rs) > 0 {
			ids := make([]string, len(rs))
			for i, r := range rs {
				ids[i] = r.ID
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\n", k, len(rs), strings.Join(ids, " "))
		}
	}
	return tw.Flush()
}

// Findings writes the lint findings, or "no findings".
func Findings(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	fmt.Fprint(w, "## Lint\n\n")
	if len(bp.Findings) == 0 {
		fmt.Fprintln(w, "no findings")
	}
	for _, f := range bp.Findings {
		fmt.Fprintln(w, f)
	}
	return nil
}

// Availability returns a section with the availability of each tier and
// of the request path (path: the tiers in series; none: every tier that
// runs something), from the availability of one node and of one zone.
func Availability(node, zone pattern.Availability, path ...string) Section {
	return func(w io.Writer, arch *pattern.Architecture, _ *blueprint.Blueprint) error {
		r, err := arch.Availability(node, zone, path...)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "## Availability (node %.6g%%, zone %.6g%%)\n\n%s", float64(node)*100, float64(zone)*100, r)
		return nil
	}
}

// Diagram writes the architecture as a Mermaid flowchart in a Markdown
// code block.
func Diagram(w io.Writer, arch *pattern.Architecture, _ *blueprint.Blueprint) error {
	m, err := arch.Mermaid()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Diagram\n\n```mermaid\n%s```\n", m)
	return nil
}
