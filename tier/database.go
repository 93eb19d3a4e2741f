package tier

import (
	"errors"
	"fmt"
	"strings"
)

// Engine is a managed database engine.
type Engine string

// The engines a managed database may use.
const (
	EngineMySQL    Engine = "mysql"
	EnginePostgres Engine = "postgres"
)

// DefaultPort returns the engine's usual port: 3306 for MySQL, 5432 for
// PostgreSQL, 0 for an unknown engine.
func (e Engine) DefaultPort() uint16 {
	switch e {
	case EngineMySQL:
		return 3306
	case EnginePostgres:
		return 5432
	}
	return 0
}

// Database is a managed database (AWS RDS) in the subnets of one tier:
// a primary, a Multi-AZ standby in another zone when MultiAZ is set (the
// standby is not readable: that is what ReadReplicas are for, the AWS migration document),
// automated backups kept BackupRetentionDays days.
//
// A cloud without managed databases (OUTSCALE) builds Fallback instead when
// FallbackToCluster is set: a database cluster of VMs, the cloud-native document's
// "Percona engine for MySQL".
type Database struct {
	Tier                string `json:"tier"`
	Engine              Engine `json:"engine"`
	Version             string `json:"version,omitempty"`
	Class               string `json:"class"`
	StorageGiB          int    `json:"storage_gib"`
	MultiAZ             bool   `json:"multi_az"`
	ReadReplicas        int    `json:"read_replicas,omitempty"`
	BackupRetentionDays int    `json:"backup_retention_days"`
	Encrypted           bool   `json:"encrypted"`
	// Port is the listening port; 0 means the engine's default.
	Port     uint16 `json:"port,omitempty"`
	Username string `json:"username"`
	// FallbackToCluster builds Fallback on a provider without managed
	// databases.
	FallbackToCluster bool    `json:"fallback_to_cluster,omitempty"`
	Fallback          Cluster `json:"fallback,omitzero"`
}

// NewDatabase returns a secure managed database: Multi-AZ, encrypted,
// backups kept 7 days, 20 GiB, master user [DefaultUsername]
// ("archkit_admin", which RDS takes for MySQL and PostgreSQL alike: not
// "admin", a reserved word of PostgreSQL).
func NewDatabase(tierName string, engine Engine, class string) Database {
	return Database{Tier: tierName, Engine: engine, Class: class, StorageGiB: 20, MultiAZ: true,
		BackupRetentionDays: 7, Encrypted: true, Username: DefaultUsername}
}

// ListenPort returns Port, or the engine's default when Port is 0.
func (d Database) ListenPort() uint16 {
	if d.Port != 0 {
		return d.Port
	}
	return d.Engine.DefaultPort()
}

// Validate checks d and reports every problem at once.
func (d Database) Validate() error {
	var errs []error
	f := "database[" + d.Tier + "]"
	if d.Tier == "" {
		errs = append(errs, fieldError("database.tier", `""`, "empty tier", "name the tier the database lives in"))
	}
	if d.Engine != EngineMySQL && d.Engine != EnginePostgres {
		errs = append(errs, fieldError(f+".engine", fmt.Sprintf("%q", d.Engine), "unknown engine", "use tier.EngineMySQL or tier.EnginePostgres"))
	}
	if d.Class == "" {
		errs = append(errs, fieldError(f+".class", `""`, "empty instance class", "give a class such as db.t3.micro"))
	}
	if d.StorageGiB < 20 || d.StorageGiB > 65536 {
		errs = append(errs, fieldError(f+".storage_gib", fmt.Sprint(d.StorageGiB), "outside 20-65536 GiB", "use at least 20 GiB"))
	}
	if d.ReadReplicas < 0 || d.ReadReplicas > 15 {
		errs = append(errs, fieldError(f+".read_replicas", fmt.Sprint(d.ReadReplicas), "outside 0-15", "use 0 to 15 read replicas"))
	}
	if d.BackupRetentionDays < 0 || d.BackupRetentionDays > 35 {
		errs = append(errs, fieldError(f+".backup_retention_days", fmt.Sprint(d.BackupRetentionDays), "outside 0-35 days", "use 1 to 35 days"))
	}
	if err := d.Engine.CheckUsername(d.Username); err != nil {
		errs = append(errs, fieldError(f+".username", fmt.Sprintf("%q", d.Username), err.Error(),
			"use 1 to 16 letters, digits or '_', starting with a letter, such as "+DefaultUsername))
	}
	if err := CheckInstanceClass(d.Class); d.Class != "" && err != nil {
		errs = append(errs, fieldError(f+".class", fmt.Sprintf("%q", d.Class), err.Error(), "give a class such as db.t3.micro"))
	}
	if d.ReadReplicas > 0 && d.BackupRetentionDays == 0 {
		errs = append(errs, fieldError(f+".backup_retention_days", "0", "read replicas need automated backups on their source",
			"keep backups at least 1 day, or drop the read replicas"))
	}
	if d.FallbackToCluster {
		fb := d.Fallback
		if fb.Tier == "" {
			fb.Tier = d.Tier
		}
		if err := fb.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s.fallback: %w", f, err))
		}
	}
	return errors.Join(errs...)
}

// CheckInstanceClass reports why RDS would refuse class as a DB instance
// class, or nil: a class is "db." then a family and a size, each of
// lowercase letters, digits and '-', such as db.t3.micro or
// db.r6g.2xlarge (RDS User Guide, DB instance classes). Whether the
// region offers the class is not checked.
func CheckInstanceClass(class string) error { return checkTypeName("db", class) }

// checkTypeName reports why s is not prefix.<family>.<size>, each of
// lowercase letters, digits and '-', or nil.
func checkTypeName(prefix, s string) error {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] != prefix || parts[1] == "" || parts[2] == "" {
		return fmt.Errorf("not of the form %s.<family>.<size>", prefix)
	}
	for _, p := range parts[1:] {
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return fmt.Errorf("character %q not allowed", r)
			}
		}
	}
	return nil
}
