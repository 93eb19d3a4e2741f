package blueprint

import (
	"fmt"
	"strconv"

	"github.com/archkit/archkit/tier"
)

// This file holds the static checks of the service kinds: load balancers,
// clusters and databases (see [Resource.Check]).

// Health check ranges of ELBv2 CreateTargetGroup: interval 5 to 300
// seconds, timeout 2 to 120 seconds, healthy and unhealthy thresholds 2
// to 10 (Elastic Load Balancing API reference, CreateTargetGroup). A zero
// field takes the cloud's default and is not checked.
var healthRanges = []struct {
	field    string
	get      func(HealthCheckSpec) int
	min, max int
}{
	{"interval_seconds", func(h HealthCheckSpec) int { return h.IntervalSeconds }, 5, 300},
	{"timeout_seconds", func(h HealthCheckSpec) int { return h.TimeoutSeconds }, 2, 120},
	{"healthy_threshold", func(h HealthCheckSpec) int { return h.HealthyThreshold }, 2, 10},
	{"unhealthy_threshold", func(h HealthCheckSpec) int { return h.UnhealthyThreshold }, 2, 10},
}

func (ps *problems) loadBalancer(s *LoadBalancerSpec) {
	if s == nil {
		return
	}
	if err := CheckLBName(s.Name); err != nil {
		ps.add("load_balancer.name", strconv.Quote(s.Name), err.Error(), "rename it (pattern.LBName derives a valid one)")
	}
	if s.Scheme != SchemeInternetFacing && s.Scheme != SchemeInternal {
		ps.add("load_balancer.scheme", strconv.Quote(s.Scheme), "unknown scheme", fmt.Sprintf("use %q or %q", SchemeInternetFacing, SchemeInternal))
	}
	protocols := map[string]bool{"HTTP": true, "HTTPS": true}
	switch s.Type {
	case LBApplication:
	case LBNetwork:
		protocols = map[string]bool{"TCP": true, "TLS": true, "UDP": true, "TCP_UDP": true}
	default:
		ps.add("load_balancer.type", strconv.Quote(s.Type), "unknown type", fmt.Sprintf("use %q or %q", LBApplication, LBNetwork))
	}
	if len(s.Subnets) == 0 {
		ps.add("load_balancer.subnets", "[]", "empty", "give the subnets of the balancer")
	}
	if len(s.Listeners) == 0 {
		ps.add("load_balancer.listeners", "[]", "empty (OUTSCALE refuses a balancer without one)", "give at least one listener")
	}
	ports := map[uint16]int{}
	for i, l := range s.Listeners {
		f := fmt.Sprintf("load_balancer.listeners[%d]", i)
		switch {
		case !protocols[l.Protocol]:
			ps.add(f+".protocol", strconv.Quote(l.Protocol), "not for a "+s.Type+" load balancer", "use one of its protocols")
		case l.Port == 0 || l.TargetPort == 0:
			ps.add(f, l.String(), "port 0", "give both ports")
		case (l.Protocol == "HTTPS" || l.Protocol == "TLS") && l.Certificate == "":
			ps.add(f+".certificate", `""`, l.Protocol+" listeners need a certificate", "give the certificate's ARN or ORN")
		}
		if j, dup := ports[l.Port]; dup {
			ps.add(f+".port", strconv.Itoa(int(l.Port)), fmt.Sprintf("same port as listeners[%d] (DuplicateListener)", j), "keep one listener per port")
		}
		ports[l.Port] = i
	}
	ps.healthCheck(s.HealthCheck)
}

func (ps *problems) healthCheck(h HealthCheckSpec) {
	for _, r := range healthRanges {
		if v := r.get(h); v != 0 && (v < r.min || v > r.max) {
			ps.add("load_balancer.health_check."+r.field, strconv.Itoa(v), fmt.Sprintf("outside %d-%d", r.min, r.max), "use a value in that range, or 0 for the default")
		}
	}
	if h.IntervalSeconds > 0 && h.TimeoutSeconds >= h.IntervalSeconds {
		ps.add("load_balancer.health_check", fmt.Sprintf("timeout %ds, interval %ds", h.TimeoutSeconds, h.IntervalSeconds),
			"the timeout is not shorter than the interval", "shorten the timeout")
	}
}

func (ps *problems) cluster(field string, s *ClusterSpec) {
	if s == nil {
		return
	}
	if len(s.Subnets) == 0 {
		ps.add(field+".subnets", "[]", "empty", "give the subnets to spread the nodes over")
	}
	ps.need(field+".image", s.Image, "an image id")
	ps.need(field+".instance_type", s.InstanceType, "an instance type")
	if s.Min < 0 || s.Min > s.Desired || s.Desired > s.Max || s.Max < 1 {
		ps.add(field, fmt.Sprintf("min %d, desired %d, max %d", s.Min, s.Desired, s.Max), "not 0 <= min <= desired <= max, max >= 1", "fix the sizes")
	}
	if len(s.LoadBalancers) > 0 && s.TargetPort == 0 {
		ps.add(field+".target_port", "0", "the cluster is behind load balancers", "give the port the load balancers send to")
	}
	if s.MetadataHopLimit < 0 || s.MetadataHopLimit > 64 {
		ps.add(field+".metadata_hop_limit", strconv.Itoa(s.MetadataHopLimit), "outside 1-64 (HttpPutResponseHopLimit)", "use 0 (1 hop, the default), or 2 for containers")
	}
	if s.InstanceRole != "" && s.InstanceProfile != "" {
		ps.add(field+".instance_profile", strconv.Quote(s.InstanceProfile), "set with instance_role "+string(s.InstanceRole)+": the nodes run with one profile",
			"drop instance_profile and grant what the nodes need (tier.Cluster.Grants), or drop the grants")
	}
	if s.PublicIP != "" && s.Desired < 2 {
		ps.add(field+".public_ip", string(s.PublicIP), fmt.Sprintf("a floating public IP on %d node(s): no standby to move to", s.Desired),
			"run at least 2 nodes (desired), or drop the floating IP")
	}
	if s.UnencryptedVolumes && s.VolumeKMSKey != "" {
		ps.add(field+".volume_kms_key", strconv.Quote(s.VolumeKMSKey), "a key for unencrypted volumes (InvalidParameterCombination)", "drop the key, or clear unencrypted_volumes")
	}
	if sc := s.Scaling; sc != nil {
		if sc.TargetCPUPercent < 1 || sc.TargetCPUPercent > 100 {
			ps.add(field+".scaling.target_cpu_percent", strconv.Itoa(sc.TargetCPUPercent), "outside 1-100", "give a CPU target such as 60")
		}
		if sc.WarmupSeconds < 0 || sc.WarmupSeconds > 3600 {
			ps.add(field+".scaling.warmup_seconds", strconv.Itoa(sc.WarmupSeconds), "outside 0-3600", "give a warmup such as 300")
		}
	}
}

// database checks the RDS rules of CreateDBInstance (RDS API reference):
// a known engine, a class of the form db.<family>.<size>, 20 to 65536 GiB
// of storage, a port from 1150 to 65535, a master user name the engine
// takes (tier.Engine.CheckUsername), 0 to 35 days of backups, at most 15
// read replicas and backups on a source that has replicas, and a subnet
// group of at least two subnets.
func (ps *problems) database(s *DatabaseSpec) {
	if s == nil {
		return
	}
	engine := tier.Engine(s.Engine)
	switch s.Engine {
	case "mysql", "postgres":
	case "mariadb":
		engine = tier.EngineMySQL // MariaDB keeps MySQL's reserved words
	default:
		ps.add("database.engine", strconv.Quote(s.Engine), "unknown engine", "use mysql, postgres or mariadb")
	}
	if err := tier.CheckInstanceClass(s.InstanceClass); err != nil {
		ps.add("database.instance_class", strconv.Quote(s.InstanceClass), err.Error(), "give one like db.t3.micro")
	}
	if s.StorageGiB < 20 || s.StorageGiB > 65536 {
		ps.add("database.storage_gib", strconv.Itoa(s.StorageGiB), "outside 20-65536", "use 20 to 65536 GiB")
	}
	if s.Port < 1150 {
		ps.add("database.port", strconv.Itoa(int(s.Port)), "outside 1150-65535", "use the engine's port, 3306 or 5432")
	}
	if err := engine.CheckUsername(s.Username); err != nil {
		ps.add("database.username", strconv.Quote(s.Username), err.Error(), "use 1 to 16 letters, digits or '_', such as "+tier.DefaultUsername)
	}
	switch {
	case s.BackupRetentionDays < 0 || s.BackupRetentionDays > 35:
		ps.add("database.backup_retention_days", strconv.Itoa(s.BackupRetentionDays), "outside 0-35", "use 0 to 35 days")
	case s.ReadReplicas > 0 && s.BackupRetentionDays == 0:
		ps.add("database.backup_retention_days", "0", "read replicas need automated backups on their source", "keep backups at least 1 day")
	}
	if r := s.ReplicaOf; r != nil {
		ps.need("database.replica_of.region", r.Region, "the source database's region")
		ps.need("database.replica_of.database", r.Database, "the source database's logical id")
	}
	if s.ReadReplicas < 0 || s.ReadReplicas > 15 {
		ps.add("database.read_replicas", strconv.Itoa(s.ReadReplicas), "outside 0-15", "use 0 to 15")
	}
	if len(s.Subnets) < 2 {
		ps.add("database.subnets", fmt.Sprint(len(s.Subnets)), "a DB subnet group needs subnets in at least two zones (DBSubnetGroupDoesNotCoverEnoughAZs)", "give one subnet in each of two zones or more")
	}
	if s.Fallback != nil {
		ps.cluster("database.fallback", s.Fallback)
	}
}

// replica checks a read replica (CreateDBInstanceReadReplica): a source
// and an instance class of the form db.<family>.<size>. Its source's
// backups and the count of replicas per source are the preflight's: they
// depend on other resources.
func (ps *problems) replica(s *DatabaseReplicaSpec) {
	if s == nil {
		return
	}
	ps.need("database_replica.source", string(s.Source), "the database it copies")
	if err := tier.CheckInstanceClass(s.InstanceClass); err != nil {
		ps.add("database_replica.instance_class", strconv.Quote(s.InstanceClass), err.Error(), "give one like db.t3.micro")
	}
}
