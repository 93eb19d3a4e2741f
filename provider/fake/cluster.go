package fake

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateCluster checks a cluster: subnets of one Net, security groups of
// that Net, an image and an instance type, 0 <= min <= desired <= max with
// max at least 1, existing load balancers and a target port for them, and
// a scaling policy with a CPU target of 1 to 100 percent and a warmup of 0
// to 3600 seconds. Like the clouds, it does not ask a policy for a
// stateless cluster or for max > min: package tier does.
func (d *Driver) validateCluster(op string, e, _ *entry) error {
	s := e.res.Cluster
	k := blueprint.KindCluster
	net, err := d.checkSubnets(op, e, "cluster.subnets", s.Subnets, 1)
	if err != nil {
		return err
	}
	if err := d.checkGroups(op, e, "cluster.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	switch {
	case s.Image == "":
		return d.errf(op, k, e.res.ID, driver.Invalid, "cluster.image: empty; give an image id")
	case s.InstanceType == "":
		return d.errf(op, k, e.res.ID, driver.Invalid, "cluster.instance_type: empty; give an instance type")
	case s.Min < 0 || s.Min > s.Desired || s.Desired > s.Max || s.Max < 1:
		return d.errf(op, k, e.res.ID, driver.Invalid, "cluster: min %d, desired %d, max %d: need 0 <= min <= desired <= max, max >= 1", s.Min, s.Desired, s.Max)
	case len(s.LoadBalancers) > 0 && s.TargetPort == 0:
		return d.errf(op, k, e.res.ID, driver.Invalid, "cluster.target_port: 0; give the port the load balancers send to")
	case s.Scaling != nil && (s.Scaling.TargetCPUPercent < 1 || s.Scaling.TargetCPUPercent > 100):
		return d.errf(op, k, e.res.ID, driver.Invalid, "cluster.scaling.target_cpu_percent: %d: outside 1-100; give a CPU target such as 60", s.Scaling.TargetCPUPercent)
	case s.Scaling != nil && (s.Scaling.WarmupSeconds < 0 || s.Scaling.WarmupSeconds > 3600):
		return d.errf(op, k, e.res.ID, driver.Invalid, "cluster.scaling.warmup_seconds: %d: outside 0-3600; give a warmup such as 300", s.Scaling.WarmupSeconds)
	}
	for i, ref := range s.LoadBalancers {
		if _, err := d.ref(op, e, fmt.Sprintf("cluster.load_balancers[%d]", i), ref, blueprint.KindLoadBalancer); err != nil {
			return err
		}
	}
	return nil
}
