package pattern

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// Check is one lint check of Build: an id, a short name, the severity of
// its findings and what it looks for. Findings of severity error stop
// Build unless acknowledged ([Architecture.Acknowledge]); the others come
// back in Blueprint.Findings.
type Check = blueprint.Check

// Checks are the lint checks of Build, from the source documents' best
// practices and what people get wrong: the PT checks need the
// architecture, the BP checks ([blueprint.Checks]: internet exposure by
// address coverage, secure-default opt-outs) only the Blueprint, so that
// the engine runs them too on a Blueprint it is given. netplan's findings
// (NP002-NP012) are merged with these; its NP001 (SSH from anywhere, per
// flow) gives way to BP001, judged on the rules themselves.
var Checks = append([]Check{
	{ID: "PT001", Name: "cluster-one-zone", Severity: netplan.SeverityWarning, Doc: "a cluster whose tier lives in one zone fails with that zone (the three-tier document: at least two Subregions)"},
	{ID: "PT002", Name: "database-public", Severity: netplan.SeverityError, Doc: "a database in a public tier, or reachable from the internet (the AWS migration document: never publicly accessible)"},
	{ID: "PT004", Name: "shared-nat", Severity: netplan.SeverityWarning, Doc: "one NAT for all zones: cheaper, but every zone loses egress when the NAT's zone fails"},
	{ID: "PT005", Name: "lb-one-zone", Severity: netplan.SeverityError, Doc: "a load balancer in one zone (AWS requires two; the AWS migration document: at least two Availability Zones)"},
	{ID: "PT006", Name: "stateful-scalable", Severity: netplan.SeverityWarning, Doc: "a stateful cluster with Max > Desired: databases and buses are clustered, not autoscaled (the cloud-native document)"},
	{ID: "PT007", Name: "no-backups", Severity: netplan.SeverityWarning, Doc: "a managed database with BackupRetentionDays 0 (the AWS migration and elastic platform documents)"},
	{ID: "PT008", Name: "unencrypted", Severity: netplan.SeverityWarning, Doc: "a database not encrypted at rest (the three-tier document: protect data at rest)"},
	{ID: "PT009", Name: "shared-subnet", Severity: netplan.SeverityError, Doc: "two services in one tier's subnets (the three-tier document: one service per subnet)"},
	{ID: "PT010", Name: "single-node", Severity: netplan.SeverityWarning, Doc: "a cluster with fewer than two nodes is a single point of failure (the cloud-native document)"},
	{ID: "PT011", Name: "database-single-zone", Severity: netplan.SeverityWarning, Doc: "a managed database without a Multi-AZ standby (the AWS migration document)"},
	{ID: "PT012", Name: "nat-unused", Severity: netplan.SeverityWarning, Doc: "NAT gateways built for private tiers that open no connection outside the Net: billed by the hour for nothing (the NAT cost surprise)"},
	{ID: "PT013", Name: "never-scales", Severity: netplan.SeverityInfo, Doc: "a stateless cluster that may grow from Min to Max but has no scaling policy stays at Desired unless something else scales it"},
	{ID: "PT014", Name: "lb-port-closed", Severity: netplan.SeverityError, Doc: "a load balancer's target or health-check port that its target tier does not listen on: the rules open a port nothing answers on, and every target fails its health check"},
	{ID: "PT015", Name: "flow-port-closed", Severity: netplan.SeverityError, Doc: "a flow to a tier on a port the tier does not listen on (Ports, or PeerPorts between its own nodes); SSH (22) and RDP (3389), which every node may run, are not judged"},
	{ID: "PT016", Name: "role-without-service", Severity: netplan.SeverityError, Doc: "a database, cache or queue tier with neither a managed database nor a cluster: subnets and rules with nothing in them"},
	{ID: "PT017", Name: "bastion-without-machine", Severity: netplan.SeverityError, Doc: "a bastion tier without a cluster: nothing to connect to (AddBastion adds one)"},
	{ID: "PT018", Name: "public-behind-lb", Severity: netplan.SeverityWarning, Doc: "the target tier of a load balancer is public: its nodes get public IPs and a route from the internet they do not need"},
	{ID: "PT019", Name: "acknowledgement-unused", Severity: netplan.SeverityWarning, Doc: "an acknowledgement that names no finding: the finding is gone, or the id or subject is mistyped"},
	{ID: "PT030", Name: "cache-no-failover", Severity: netplan.SeverityWarning, Doc: "a managed Redis without automatic failover across zones (Multi-AZ): the cache is lost with its primary's node or zone (the elastic platform document: highly available over several zones)"},
	{ID: "PT031", Name: "cache-unencrypted", Severity: netplan.SeverityWarning, Doc: "a managed cache without encryption in transit and at rest (the three-tier document: protect data in transit and at rest)"},
	{ID: "PT032", Name: "broker-single-instance", Severity: netplan.SeverityWarning, Doc: "a managed broker of one node: its queues are unreachable while its node or zone is down, and a lost volume loses them (the cloud-native document: buses run as clusters)"},
	{ID: "PT033", Name: "snapshot-running-database", Severity: netplan.SeverityError, Doc: "a snapshot schedule that selects a database's, a cache's or a stateful cluster's volumes: a snapshot of a running database's volume is not consistent (the database document: never snapshot the volume of a running database); use the database's own backups or a database-aware dump"},
}, blueprint.Checks...)

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
		if c.Desired < 2 && t.Role != tier.RoleBastion { // a bastion relays SSH: one node will do, replaced when it fails
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
	fs = append(fs, d.lintServices()...)
	fs = append(fs, d.lintCaches()...)
	fs = append(fs, d.lintBrokers()...)
	fs = append(fs, d.lintSnapshots()...)
	fs = append(fs, d.lintTargetPorts()...)
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

// lintServices reports the tiers that are half built: a role tier
// (database, cache, queue) or a bastion with nothing running in it, and
// the public target tiers of load balancers.
func (d *design) lintServices() []netplan.Finding {
	var fs []netplan.Finding
	targets := map[string]string{}
	for i := range d.arch.LBs {
		targets[d.arch.LBs[i].Target] = d.arch.LBs[i].Name
	}
	for i := range d.arch.Tiers {
		t := &d.arch.Tiers[i]
		subj := "tiers[" + t.Name + "]"
		_, cluster := d.clusters[t.Name]
		_, db := d.dbs[t.Name]
		switch {
		case t.Role == tier.RoleDatabase && !cluster && !db:
			fs = append(fs, finding("PT016", subj, "database tier "+t.Name+" has neither a managed database nor a cluster",
				"add one: AddDatabase(tier.NewDatabase(\""+t.Name+"\", engine, class)), or AddCluster(tier.NewCluster(\""+t.Name+"\", image, type)) with Stateless false"))
		case (t.Role == tier.RoleCache || t.Role == tier.RoleQueue) && !cluster && d.caches[t.Name] == nil && d.brokers[t.Name] == nil:
			fs = append(fs, finding("PT016", subj, string(t.Role)+" tier "+t.Name+" has no cluster",
				"add one: AddCluster(tier.NewCluster(\""+t.Name+"\", image, type)) with Stateless false"))
		case t.Role == tier.RoleBastion && !cluster:
			fs = append(fs, finding("PT017", subj, "bastion tier "+t.Name+" has no machine",
				"declare it with AddBastion, which adds one, or AddCluster(tier.NewCluster(\""+t.Name+"\", image, type))"))
		}
		if lb, ok := targets[t.Name]; ok && t.Exposure == netplan.Public {
			fs = append(fs, finding("PT018", subj, "tier "+t.Name+" is behind load balancer "+lb+" but public: its nodes get public IPs",
				"set its Exposure to netplan.Private (egress through a NAT) or netplan.Isolated"))
		}
	}
	return fs
}

// lintTargetPorts reports the load balancers that send their traffic or
// their health checks to a port their target tier does not listen on.
func (d *design) lintTargetPorts() []netplan.Finding {
	var fs []netplan.Finding
	for i := range d.arch.LBs {
		lb := &d.arch.LBs[i]
		t := d.tiers[lb.Target]
		if t == nil || len(t.Ports) == 0 {
			continue
		}
		for _, p := range lb.TargetPorts() {
			if listens(t.Ports, netplan.ProtocolTCP, netplan.Port(p)) {
				continue
			}
			what := "health-check port"
			for _, l := range lb.Listeners {
				if l.TargetPort == p {
					what = fmt.Sprintf("target port of listener %s:%d", l.Protocol, l.Port)
					break
				}
			}
			fs = append(fs, finding("PT014", "lbs["+lb.Name+"]", fmt.Sprintf("tcp/%d (%s) but tier %s listens on %s", p, what, t.Name, portList(t.Ports)),
				fmt.Sprintf("send it to %s, or add tcp/%d to tier %s's Ports", portList(t.Ports), p, t.Name)))
		}
	}
	return fs
}

// listens reports whether one of ports takes proto on a port of r.
func listens(ports []tier.Port, proto netplan.Protocol, r netplan.PortRange) bool {
	return slices.ContainsFunc(ports, func(p tier.Port) bool {
		return (p.Protocol == proto || p.Protocol == netplan.ProtocolAll) && p.Range.Overlaps(r)
	})
}

func portList(ports []tier.Port) string {
	var out []string
	for _, p := range ports {
		out = append(out, p.String())
	}
	return strings.Join(out, ", ")
}

// lintFlowPorts reports the flows to a tier on ports it does not listen
// on: its Ports, and its PeerPorts for a flow between its own nodes. SSH
// and RDP, which any node may run for its admins, are not judged, nor
// tiers that list no port.
func (d *design) lintFlowPorts() []netplan.Finding {
	var fs []netplan.Finding
	for i, f := range d.flows {
		if f.To.Kind != netplan.EndpointTier || !f.Protocol.HasPorts() || f.Ports == netplan.Port(22) || f.Ports == netplan.Port(3389) {
			continue
		}
		t := d.tiers[f.To.Name]
		if t == nil || len(t.Ports) == 0 {
			continue
		}
		ports := t.Ports
		if f.From.Kind == netplan.EndpointTier && f.From.Name == t.Name {
			ports = slices.Concat(t.Ports, t.PeerPorts)
		}
		if listens(ports, f.Protocol, f.Ports) {
			continue
		}
		fs = append(fs, finding("PT015", fmt.Sprintf("flows[%d] (%s)", i, f), fmt.Sprintf("tier %s listens on %s, not on %s/%s", t.Name, portList(ports), f.Protocol, f.Ports),
			fmt.Sprintf("use one of %s, or add %s/%s to tier %s's Ports", portList(ports), f.Protocol, f.Ports, t.Name)))
	}
	return fs
}

// lintRules runs the checks that need the derived rules.
func lintRules(d *design) []netplan.Finding {
	fs := d.lintFlowPorts()
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
		isPrivate := map[string]bool{} // one look-up per flow: linear in tiers and flows
		used := false
		for i := range d.arch.Tiers {
			if t := &d.arch.Tiers[i]; t.Exposure == netplan.Private {
				private = append(private, t.Name)
				isPrivate[t.Name] = true
			}
		}
		for _, f := range d.flows {
			if f.From.Kind == netplan.EndpointTier && isPrivate[f.From.Name] && leavesNet(f.To, d.arch.CIDR) {
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
