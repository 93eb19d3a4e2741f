package show

import (
	"fmt"
	"io"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

// Billable lists what the clouds bill by the hour from the moment it
// exists, whether traffic flows or not, so that nobody applies a
// deployment to an account without knowing: NAT gateways and their public
// IPs, load balancers, the nodes of every cluster and the database
// instances. Nets, subnets, route tables, security groups, network ACLs and
// internet gateways cost nothing.
func Billable(w io.Writer, _ *pattern.Architecture, bp *blueprint.Blueprint) error {
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
