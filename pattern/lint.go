package pattern

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// Check is one lint check of Build: an id, a short name, the severity of
// its findings and what it looks for. Findings of severity error stop
// Build; the others come back in Blueprint.Findings.
type Check struct {
	ID       string
	Name     string
	Severity netplan.Severity
	Doc      string
}

// The lint checks, from the source documents' best practices. SSH open to the
// internet is netplan's NP001 (an error, a warning with
// AllowSSHFromAnywhere); netplan's other findings (NP002-NP009) are merged
// with these.
var Checks = []Check{
	{"PT001", "cluster-one-zone", netplan.SeverityWarning, "a cluster whose tier lives in one zone fails with that zone (the three-tier document: at least two Subregions)"},
	{"PT002", "database-public", netplan.SeverityError, "a database in a public tier, or reachable from the internet (the AWS migration document: never publicly accessible)"},
	{"PT004", "shared-nat", netplan.SeverityWarning, "one NAT for all zones: cheaper, but every zone loses egress when the NAT's zone fails"},
	{"PT005", "lb-one-zone", netplan.SeverityError, "a load balancer in one zone (AWS requires two; the AWS migration document: at least two Availability Zones)"},
	{"PT006", "stateful-scalable", netplan.SeverityWarning, "a stateful cluster with Max > Desired: databases and buses are clustered, not autoscaled (the cloud-native document)"},
	{"PT007", "no-backups", netplan.SeverityWarning, "a managed database with BackupRetentionDays 0 (the AWS migration and elastic platform documents)"},
	{"PT008", "unencrypted", netplan.SeverityWarning, "a database not encrypted at rest (the three-tier document: protect data at rest)"},
	{"PT009", "shared-subnet", netplan.SeverityError, "two services in one tier's subnets (the three-tier document: one service per subnet)"},
	{"PT010", "single-node", netplan.SeverityWarning, "a cluster with fewer than two nodes is a single point of failure (the cloud-native document)"},
	{"PT011", "database-single-zone", netplan.SeverityWarning, "a managed database without a Multi-AZ standby (the AWS migration document)"},
	{"PT012", "nat-unused", netplan.SeverityWarning, "NAT gateways built for private tiers that open no connection outside the Net: billed by the hour for nothing (the NAT cost surprise)"},
	{"PT013", "never-scales", netplan.SeverityInfo, "a stateless cluster that may grow from Min to Max but has no scaling policy stays at Desired unless something else scales it"},
}

func checkByID(idv string) Check {
	for _, c := range Checks {
		if c.ID == idv {
			return c
		}
	}
	return Check{ID: idv}
}

func finding(idv, subject, msg, fix string) netplan.Finding {
	c := checkByID(idv)
	return netplan.Finding{ID: idv, Severity: c.Severity, Subject: subject, Message: c.Name + ": " + msg, Fix: fix}
}

// lintArch runs the checks that need only the validated architecture.
func lintArch(d *design) []netplan.Finding {
	a := d.arch
	var fs []netplan.Finding
	for i := range a.Clusters {
		c := &a.Clusters[i]
		t := d.tiers[c.Tier]
		if t == nil {
			continue
		}
		subj := "clusters[" + c.Tier + "]"
		if n := len(a.tierZones(t)); n < 2 {
			fs = append(fs, finding("PT001", subj, fmt.Sprintf("tier %s has subnets in %d zone", c.Tier, n), "list two zones or more for the tier"))
		}
		if !c.Stateless && c.Max > c.Desired {
			fs = append(fs, finding("PT006", subj, fmt.Sprintf("stateful cluster may scale from %d to %d nodes", c.Desired, c.Max), "set Max to Desired, or make the service stateless"))
		}
		if c.Stateless && c.Max > c.Min && c.Scaling == nil {
			fs = append(fs, finding("PT013", subj, fmt.Sprintf("%d to %d nodes and no scaling policy", c.Min, c.Max), "add Scaling (tier.DefaultScaling()), or set Max to Min"))
		}
		if c.Desired < 2 {
			fs = append(fs, finding("PT010", subj, fmt.Sprintf("%d node", c.Desired), "run two nodes or more"))
		}
		if _, ok := d.dbs[c.Tier]; ok {
			fs = append(fs, finding("PT009", "tiers["+c.Tier+"]", "a cluster and a database share the tier's subnets", "give the database a tier of its own"))
		}
	}
	for i := range a.Databases {
		db := &a.Databases[i]
		t := d.tiers[db.Tier]
		if t == nil {
			continue
		}
		subj := "databases[" + db.Tier + "]"
		if t.Exposure == netplan.Public {
			fs = append(fs, finding("PT002", subj, "database in public tier "+db.Tier, "set the tier's Exposure to netplan.Isolated"))
		}
		if db.BackupRetentionDays == 0 {
			fs = append(fs, finding("PT007", subj, "automated backups disabled", "set BackupRetentionDays to 7 or more"))
		}
		if !db.Encrypted {
			fs = append(fs, finding("PT008", subj, "storage not encrypted", "set Encrypted"))
		}
		if !db.MultiAZ {
			fs = append(fs, finding("PT011", subj, "no standby in another zone", "set MultiAZ"))
		}
	}
	for i := range a.Tiers {
		t := &a.Tiers[i]
		if t.Role == tier.RoleDatabase && t.Exposure == netplan.Public {
			if _, managed := d.dbs[t.Name]; !managed {
				fs = append(fs, finding("PT002", "tiers["+t.Name+"]", "database tier is public", "set the tier's Exposure to netplan.Isolated"))
			}
		}
	}
	for i := range a.LBs {
		lb := &a.LBs[i]
		t := d.tiers[lb.Tier]
		if t == nil {
			continue
		}
		subj := "lbs[" + lb.Name + "]"
		if n := len(a.tierZones(t)); n < 2 {
			fs = append(fs, finding("PT005", subj, fmt.Sprintf("tier %s has subnets in %d zone", lb.Tier, n), "put the load balancer in a tier with two zones or more"))
		}
		_, c := d.clusters[lb.Tier]
		_, db := d.dbs[lb.Tier]
		if c || db {
			fs = append(fs, finding("PT009", subj, "load balancer shares tier "+lb.Tier+" with a service", "give load balancers a tier of their own (tier.LoadBalancers)"))
		}
	}
	if a.NAT == netplan.NATShared && len(d.zones) > 1 {
		for i := range a.Tiers {
			if a.Tiers[i].Exposure == netplan.Private {
				fs = append(fs, finding("PT004", "nat", fmt.Sprintf("one NAT in zone %s serves %d zones", d.zones[0], len(d.zones)), "use netplan.NATPerZone unless the saving is worth a zone-wide egress outage"))
				break
			}
		}
	}
	sortFindings(fs)
	return fs
}

// lintRules runs the checks that need the derived rules.
func lintRules(d *design) []netplan.Finding {
	var fs []netplan.Finding
	for i := range d.arch.Tiers {
		t := &d.arch.Tiers[i]
		db, managed := d.dbs[t.Name]
		if !managed && t.Role != tier.RoleDatabase {
			continue
		}
		var ports []uint16
		if managed {
			ports = append(ports, db.ListenPort())
		}
		for _, p := range t.Ports {
			if p.Protocol == netplan.ProtocolTCP {
				ports = append(ports, p.Range.From)
			}
		}
		for _, p := range ports {
			v := d.rules.CanReach(netplan.Query{From: netplan.Internet(), To: t.Name, Protocol: netplan.ProtocolTCP, Port: p})
			if v.Allowed {
				fs = append(fs, finding("PT002", "tiers["+t.Name+"]", fmt.Sprintf("tcp/%d reachable from the internet", p), "remove the flows from the internet and make the tier isolated"))
				break
			}
		}
	}
	if n := len(d.rules.NATZones); n > 0 && d.arch.Egress == netplan.EgressLeastPrivilege {
		var private []string
		used := false
		for i := range d.arch.Tiers {
			if t := &d.arch.Tiers[i]; t.Exposure == netplan.Private {
				private = append(private, t.Name)
			}
		}
		for _, f := range d.flows {
			if f.From.Kind == netplan.EndpointTier && slices.Contains(private, f.From.Name) && leavesNet(f.To, d.arch.CIDR) {
				used = true
				break
			}
		}
		if !used {
			fs = append(fs, finding("PT012", "nat", fmt.Sprintf("%d NAT gateway(s) for private tiers %s, which declare no flow out of the Net", n, strings.Join(private, ", ")),
				"make the tiers netplan.Isolated, set NAT to netplan.NATNone, or declare their egress flows"))
		}
	}
	return fs
}

// leavesNet reports whether traffic to e goes out through a NAT: the
// internet, or blocks outside the Net (peers have routes of their own).
func leavesNet(e netplan.Endpoint, n netip.Prefix) bool {
	switch e.Kind {
	case netplan.EndpointInternet:
		return true
	case netplan.EndpointCIDR:
		for _, p := range e.Prefixes {
			if !n.Overlaps(p) {
				return true
			}
		}
	}
	return false
}

func sortFindings(fs []netplan.Finding) {
	slices.SortFunc(fs, func(x, y netplan.Finding) int {
		return cmp.Or(strings.Compare(x.ID, y.ID), strings.Compare(x.Subject, y.Subject))
	})
}
