package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateDatabase checks a managed database the way RDS does (its engine,
// class, storage, port, user name, backups and replicas:
// blueprint.Resource.Check): a subnet group of one Net over at least two
// zones, security groups of that Net, and Quotas.DatabasesPerRegion,
// read replicas included.
func (d *Driver) validateDatabase(op string, e, old *entry) error {
	s := e.res.Database
	k := blueprint.KindDatabase
	net, err := d.checkSubnets(op, e, "database.subnets", s.Subnets, 2)
	if err != nil {
		return err
	}
	if err := d.checkGroups(op, e, "database.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	if q := d.opts.Profile.Quotas.DatabasesPerRegion; q > 0 {
		n := 1 + s.ReadReplicas
		for _, o := range d.others(k, old) {
			n += 1 + o.res.Database.ReadReplicas
		}
		if n > q {
			return d.errf(op, k, e.res.ID, driver.Quota, "database: %d instances in the region with the read replicas; at most %d", n, q)
		}
	}
	return nil
}
