package deploy

// The sections a deploy program prints before it deploys (not with -json,
// -destroy or -drift): each writes one "## Title" part of the
// architecture as aligned text or Markdown.

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

// A Section writes one part of an architecture to w, from its "## Title"
// line on. The ready ones are [Subnets], [SecurityGroups],
// [LoadBalancers], [Clusters], [Resources], [Findings], [Diagram],
// [Billable], [Availability] and [Nines]; a program adds its own.
type Section func(w io.Writer, arch *pattern.Architecture, bp *blueprint.Blueprint) error

// writeSections writes each section, a blank line after each that wrote
// something, and stops at the first error.
func writeSections(w io.Writer, arch *pattern.Architecture, bp *blueprint.Blueprint, sections []Section) error {
	for _, s := range sections {
		cw := &countingWriter{w: w}
		if err := s(cw, arch, bp); err != nil {
			return err
		}
		if cw.n > 0 {
			fmt.Fprintln(w)
		}
	}
	return nil
}

// countingWriter counts what it passes on.
type countingWriter struct {
	w io.Writer
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += n
	return n, err
}

func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// Lazy returns a section that build makes when it runs, after the command
// line is parsed: for a section made from the program's own flags.
//
//	deploy.Lazy(func() deploy.Section { return deploy.Availability(pattern.Availability(*node), 0.9999) })
func Lazy(build func() Section) Section {
	return func(w io.Writer, arch *pattern.Architecture, bp *blueprint.Blueprint) error {
		if build == nil {
			return errors.New("deploy: Lazy: no function to build the section")
		}
		s := build()
		if s == nil {
			return errors.New("deploy: Lazy: the function built no section")
		}
		return s(w, arch, bp)
	}
}

// needs reports a section called without a writer or without what it
// shows.
func needs(w io.Writer, have bool) error {
	if w == nil || !have {
		return errors.New("deploy: a section needs a writer and a Blueprint")
	}
	return nil
}

// Subnets writes the address plan: one subnet per tier and zone.
func Subnets(w io.Writer, arch *pattern.Architecture, _ *blueprint.Blueprint) error {
	if err := needs(w, true); err != nil {
		return err
	}
	plan, err := arch.Plan()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Subnets of %s\n\n", arch.CIDR)
	return plan.WriteTable(w)
}

// SecurityGroups writes every derived security-group rule, a line each.
func SecurityGroups(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	if err := needs(w, bp != nil); err != nil {
		return err
	}
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
	if err := needs(w, bp != nil); err != nil {
		return err
	}
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
	if err := needs(w, bp != nil); err != nil {
		return err
	}
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

// replicasOf counts the read replicas of database id in bp: the
// database_replica resources whose source it is.
func replicasOf(bp *blueprint.Blueprint, id string) int {
	n := 0
	for _, r := range bp.OfKind(blueprint.KindDatabaseReplica) {
		if r.DatabaseReplica != nil && string(r.DatabaseReplica.Source) == id {
			n++
		}
	}
	return n
}

// Resources writes how many resources of each kind the Blueprint holds,
// with their ids.
func Resources(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	if err := needs(w, bp != nil); err != nil {
		return err
	}
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
	if err := needs(w, bp != nil); err != nil {
		return err
	}
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
	if err := needs(w, true); err != nil {
		return err
	}
	m, err := arch.Mermaid()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Diagram\n\n```mermaid\n%s```\n", m)
	return nil
}

// Billable lists what the clouds bill by the hour from the moment it
// exists, whether traffic flows or not, so that nobody applies a
// deployment to an account without knowing: NAT gateways and their public
// IPs, load balancers, the nodes of every cluster and the database
// instances. Nets, subnets, route tables, security groups, network ACLs and
// internet gateways cost nothing.
func Billable(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
	if err := needs(w, bp != nil); err != nil {
		return err
	}
	fmt.Fprint(w, "## Billed while it exists\n\n")
	tw := table(w)
	fmt.Fprintln(tw, "RESOURCE\tHOW MANY\tBILLED FOR")
	if n := len(bp.OfKind(blueprint.KindNATGateway)); n > 0 {
		fmt.Fprintf(tw, "NAT gateway\t%d\thours and GB processed\n", n)
	}
	if n := len(bp.OfKind(blueprint.KindPublicIP)); n > 0 {
		fmt.Fprintf(tw, "public IPv4 address\t%d\thours\n", n)
	}
	for _, r := range bp.OfKind(blueprint.KindLoadBalancer) {
		fmt.Fprintf(tw, "load balancer %s\t1\thours and capacity units\n", r.LoadBalancer.Name)
	}
	for _, r := range bp.OfKind(blueprint.KindCluster) {
		c := r.Cluster
		count := fmt.Sprint(c.Desired)
		if c.Max > c.Min {
			count = fmt.Sprintf("%d to %d", c.Min, c.Max)
		}
		fmt.Fprintf(tw, "%s nodes (%s)\t%s\thours, plus their volumes\n", c.Tier, c.InstanceType, count)
	}
	for _, r := range bp.OfKind(blueprint.KindDatabase) {
		d := r.Database
		instances := 1 + replicasOf(bp, r.ID)
		if d.MultiAZ {
			instances++ // the standby
		}
		fmt.Fprintf(tw, "%s database (%s)\t%d instances\thours, %d GiB of storage each, backups kept %d days\n",
			d.Engine, d.InstanceClass, instances, d.StorageGiB, d.BackupRetentionDays)
		if fb := d.Fallback; fb != nil {
			fmt.Fprintf(tw, "  or, where there is no managed database\t%d VMs (%s)\thours, plus their volumes\n", fb.Desired, fb.InstanceType)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nEverything else (nets, subnets, gateways, route tables, security groups, network ACLs) is free.")
	return nil
}

// Nines writes the cloud-native document's table: how long a service may be down in a year
// at each availability, from 99% to 99.9999%, and whether the architecture's
// request path (node and zone availability as given) reaches each.
func Nines(node, zone pattern.Availability, path ...string) Section {
	return func(w io.Writer, arch *pattern.Architecture, _ *blueprint.Blueprint) error {
		r, err := arch.Availability(node, zone, path...)
		if err != nil {
			return err
		}
		fmt.Fprint(w, "## Downtime per year (the cloud-native document's table)\n\n")
		tw := table(w)
		fmt.Fprintln(tw, "AVAILABILITY\tDOWN PER YEAR\tTHIS ARCHITECTURE")
		for _, a := range []pattern.Availability{0.99, 0.999, 0.9999, 0.99999, 0.999999} {
			verdict := "misses it"
			if r.Availability >= a {
				verdict = "reaches it"
			}
			fmt.Fprintf(tw, "%.6g%%\t%s\t%s\n", float64(a)*100, a.DowntimeString(), verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nthe request path is up %s\n", r.Availability)
		return nil
	}
}
