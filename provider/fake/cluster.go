package fake

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateCluster checks a cluster (its sizes, image, instance type,
// target port and scaling policy: blueprint.Resource.Check): subnets of
// one Net, security groups of that Net, and existing load balancers. Like
// the clouds, it does not ask a policy for a stateless cluster or for
// max > min: package tier does.
func (d *Driver) validateCluster(op string, e, _ *entry) error {
	s := e.res.Cluster
	if s.Desired == 0 && d.opts.NoEmptyCluster != "" {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "cluster.desired: 0: %s; give it 1 or more", d.opts.NoEmptyCluster)
	}
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
	if s.InstanceRole != "" {
		if _, err := d.ref(op, e, "cluster.instance_role", s.InstanceRole, blueprint.KindInstanceRole); err != nil {
			return err
		}
	}
	if s.KeyPair != "" {
		if _, err := d.ref(op, e, "cluster.key_pair", s.KeyPair, blueprint.KindKeyPair); err != nil {
			return err
		}
	}
	if s.ImageCopy != "" {
		if _, err := d.ref(op, e, "cluster.image_copy", s.ImageCopy, blueprint.KindImageCopy); err != nil {
			return err
		}
	}
	return d.checkFloatingIP(op, e)
}

// checkFloatingIP checks a cluster's public_ip as OUTSCALE's LinkPublicIp
// does: a public IP of the account, not a NAT service's, and, as the
// OUTSCALE driver needs, one node at least to take over (desired 2).
func (d *Driver) checkFloatingIP(op string, e *entry) error {
	s := e.res.Cluster
	if s.PublicIP == "" {
		return nil
	}
	ip, err := d.ref(op, e, "cluster.public_ip", s.PublicIP, blueprint.KindPublicIP)
	if err != nil {
		return err
	}
	if nats := d.keyed(blueprint.KindNATGateway, key{tag: "public_ip", ref: ip.id}, nil); len(nats) > 0 {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "cluster.public_ip: %s is the address of NAT service %s", ip.id, nats[0].id)
	}
	for _, o := range d.others(blueprint.KindCluster, e) {
		if o.res.Cluster.PublicIP == blueprint.Ref(ip.id) {
			return d.errf(op, e.kind, e.res.ID, driver.Invalid, "cluster.public_ip: %s floats over cluster %s already", ip.id, o.id)
		}
	}
	if s.Desired < 2 {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "cluster.public_ip: %d node(s), none to take the address over; run 2 or more", s.Desired)
	}
	return nil
}
