package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateDatabase checks a managed database the way RDS does: a known
// engine, an instance class, 20 to 65536 GiB of storage, a subnet group of
// one Net over at least two zones, security groups of that Net, a port, a
// user name, 0 to 35 days of backups and at most 15 read replicas.
func (d *Driver) validateDatabase(op string, e, _ *entry) error {
	s := e.res.Database
	k := blueprint.KindDatabase
	switch s.Engine {
	case "mysql", "postgres", "mariadb":
	default:
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.engine: %q: use mysql, postgres or mariadb", s.Engine)
	}
	net, err := d.checkSubnets(op, e, "database.subnets", s.Subnets, 2)
	if err != nil {
		return err
	}
	if err := d.checkGroups(op, e, "database.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	switch {
	case s.InstanceClass == "":
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.instance_class: empty; give one like db.t3.micro")
	case s.StorageGiB < 20 || s.StorageGiB > 65536:
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.storage_gib: %d: use 20 to 65536", s.StorageGiB)
	case s.Port == 0:
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.port: 0; give the port, 3306 or 5432")
	case s.Username == "":
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.username: empty; give the master user name")
	case s.BackupRetentionDays < 0 || s.BackupRetentionDays > 35:
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.backup_retention_days: %d: use 0 to 35", s.BackupRetentionDays)
	case s.ReadReplicas < 0 || s.ReadReplicas > 15:
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.read_replicas: %d: use 0 to 15", s.ReadReplicas)
	}
	return nil
}
