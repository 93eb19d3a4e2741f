package fake

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
)

// validateCluster checks a cluster (its sizes, image, instance type,
// target port and scaling policy: blueprint.Resource.Check): subnets of
// one Net, security groups of that Net, and existing load balancers. Like
// the clouds, it does not ask a policy for a stateless cluster or for
// max > min: package tier does.
func (d *Driver) validateCluster(op string, e, _ *entry) error {
	s := e.res.Cluster
	net, err := d.checkSubnets(op, e, "cluster.subnets", s.Subnets, 1)
	if err != nil {
		return err
	}
	if err := d.checkGroups(op, e, "cluster.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	for i, ref := range s.LoadBalancers {
		if _, err := d.ref(op, e, fmt.Sprintf("cluster.load_balancers[%d]", i), ref, blueprint.KindLoadBalancer); err != nil {
			return err
		}
	}
	if s.KeyPair != "" {
		if _, err := d.ref(op, e, "cluster.key_pair", s.KeyPair, blueprint.KindKeyPair); err != nil {
			return err
		}
	}
	return nil
}
