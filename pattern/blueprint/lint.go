package blueprint

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"

	"github.com/archkit/archkit/netplan"
)

// Check is one lint check: an id, a short name, the severity of its
// findings and what it looks for. Findings of severity error stop a build
// and an apply unless acknowledged (see [Acknowledgement]).
type Check struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Severity netplan.Severity `json:"severity"`
	Doc      string           `json:"doc"`
}

// Checks are the lint checks that need only a Blueprint: [Blueprint.Lint]
// runs them, so that package pattern's Build and the engine, which may be
// given a Blueprint made by hand or read from JSON, both do. The control
// ids are those of the AWS Foundational Security Best Practices standard
// (AWS Security Hub User Guide).
var Checks = []Check{
	{"BP001", "ssh-from-internet", netplan.SeverityError, "a security group admits tcp/22 (SSH) from every IPv4 or every IPv6 address, in one block or in pieces (EC2.13)"},
	{"BP002", "rdp-from-internet", netplan.SeverityError, "a security group admits tcp/3389 (RDP) from every IPv4 or every IPv6 address, in one block or in pieces (EC2.14)"},
	{"BP003", "database-from-internet", netplan.SeverityError, "a security group admits a database or cache port (a managed database's port, MySQL 3306, PostgreSQL 5432, SQL Server 1433, Oracle 1521, Redis 6379, Memcached 11211, MongoDB 27017, Cassandra 9042, Elasticsearch 9200) from every IPv4 or IPv6 address (EC2.19)"},
	{"BP004", "target-port-closed", netplan.SeverityError, "a cluster's security groups do not admit its load balancer's target or health-check port from the balancer's groups: every target would be unhealthy"},
	{"BP010", "imdsv1-allowed", netplan.SeverityWarning, "a cluster's nodes may read instance metadata without a session token (EC2.8, AutoScaling.3)"},
	{"BP011", "unencrypted-volumes", netplan.SeverityWarning, "a cluster's root volumes are not encrypted (EC2.3)"},
	{"BP012", "http-not-redirected", netplan.SeverityWarning, "a load balancer with an HTTPS listener forwards plain HTTP instead of redirecting it to HTTPS (ELB.1)"},
	{"BP013", "tls-policy-outdated", netplan.SeverityWarning, "an HTTPS or TLS listener uses a security policy without TLS 1.3 (ELB.17)"},
	{"BP014", "invalid-headers-kept", netplan.SeverityWarning, "an application load balancer passes invalid HTTP headers to its targets (ELB.4)"},
	{"BP015", "lb-deletion-unprotected", netplan.SeverityWarning, "a load balancer without deletion protection (ELB.6)"},
	{"BP016", "default-group-open", netplan.SeverityWarning, "the Net's default security group keeps the rules the cloud gave it (EC2.2)"},
	{"BP017", "metadata-hop-limit", netplan.SeverityInfo, "a cluster's metadata hop limit above 1: containers on the nodes may read the metadata (AutoScaling.4)"},
}

// CheckByID returns the check with id idv, among [Checks].
func CheckByID(idv string) (Check, bool) {
	i := slices.IndexFunc(Checks, func(c Check) bool { return c.ID == idv })
	if i < 0 {
		return Check{}, false
	}
	return Checks[i], true
}

// Acknowledgement accepts one finding for one subject, with a reason: the
// finding stays in the plan, with the reason, and stops nothing. ID is the
// finding's id ("BP001", "PT014"), Subject its subject exactly as the
// finding gives it ("security_group_rules/bastion", "lbs[front]").
//
//	{ID: "BP001", Subject: "security_group_rules/bastion", Reason: "admins travel; SSH keys only, no passwords"}
type Acknowledgement struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Reason  string `json:"reason"`
}

// Acknowledge sets Acknowledged on every finding of fs that an
// acknowledgement of acks names (same ID and Subject), in place, and
// returns the acknowledgements that name none, in order.
func Acknowledge(fs []netplan.Finding, acks []Acknowledgement) (unused []Acknowledgement) {
	for _, a := range acks {
		used := false
		for i := range fs {
			if fs[i].ID == a.ID && fs[i].Subject == a.Subject {
				fs[i].Acknowledged = a.Reason
				used = true
			}
		}
		if !used {
			unused = append(unused, a)
		}
	}
	return unused
}

// Lint runs [Checks] on bp and returns its findings, the acknowledgements
// of bp applied, sorted by severity (errors first), id and subject. It
// only reads bp; a nil bp has no finding. The findings that [netplan.Finding.IsBlocking] reports
// are problems a cloud would not refuse but a reviewer would: Build and
// the engine stop on them.
func (bp *Blueprint) Lint() []netplan.Finding {
	if bp == nil {
		return nil
	}
	l := linter{bp: bp, rules: map[Ref]*SecurityGroupRulesSpec{}, dbPorts: map[Ref][]uint16{}}
	for i := range bp.Resources {
		r := &bp.Resources[i]
		switch {
		case r.SecurityGroupRules != nil:
			l.rules[r.SecurityGroupRules.Group] = r.SecurityGroupRules
		case r.Database != nil:
			for _, g := range r.Database.SecurityGroups {
				l.dbPorts[g] = append(l.dbPorts[g], r.Database.Port)
			}
		}
	}
	for i := range bp.Resources {
		l.resource(&bp.Resources[i])
	}
	Acknowledge(l.out, bp.Acknowledgements)
	SortFindings(l.out)
	return l.out
}

// SortFindings sorts fs by severity (errors first), then id and subject.
func SortFindings(fs []netplan.Finding) {
	slices.SortStableFunc(fs, func(x, y netplan.Finding) int {
		return cmp.Or(cmp.Compare(y.Severity, x.Severity), strings.Compare(x.ID, y.ID), strings.Compare(x.Subject, y.Subject))
	})
}

type linter struct {
	bp      *Blueprint
	rules   map[Ref]*SecurityGroupRulesSpec // group -> its rule set
	dbPorts map[Ref][]uint16                // group -> ports of the databases in it
	out     []netplan.Finding
}

func (l *linter) add(idv, subject, msg, fix string) {
	c, _ := CheckByID(idv)
	l.out = append(l.out, netplan.Finding{ID: idv, Severity: c.Severity, Subject: subject, Message: c.Name + ": " + msg, Fix: fix})
}

func (l *linter) resource(r *Resource) {
	switch {
	case r.Net != nil && r.Net.KeepDefaultSecurityGroupRules:
		l.add("BP016", r.ID, "the default security group keeps its rules", "clear keep_default_security_group_rules, or acknowledge the finding")
	case r.SecurityGroupRules != nil:
		l.exposure(r.ID, r.SecurityGroupRules)
	case r.Cluster != nil:
		l.cluster(r.ID, r.Cluster)
	case r.LoadBalancer != nil:
		l.loadBalancer(r.ID, r.LoadBalancer)
	}
}

// riskyPorts are the ports BP003 judges, besides the ports of the managed
// databases in the group: the database and cache ports of AWS Foundational
// Security Best Practices EC2.19's high-risk list and of the standard tiers.
var riskyPorts = []uint16{1433, 1521, 3306, 5432, 6379, 9042, 9200, 11211, 27017}

// exposure reports the ports of the group of rs open to the whole
// internet, by address coverage: 0.0.0.0/0, or blocks that add up to it.
func (l *linter) exposure(id string, rs *SecurityGroupRulesSpec) {
	check := func(idv string, port uint16, fix string) {
		if fam := internetCovered(rs.Inbound, port); fam != "" {
			l.add(idv, id, fmt.Sprintf("tcp/%d is open to every %s address", port, fam), fix)
		}
	}
	check("BP001", 22, "admit SSH from a bastion's group, a VPN peer or the admins' CIDRs only")
	check("BP002", 3389, "admit RDP from a bastion's group, a VPN peer or the admins' CIDRs only")
	ports := append(slices.Clone(riskyPorts), l.dbPorts[rs.Group]...)
	slices.Sort(ports)
	for _, p := range slices.Compact(ports) {
		check("BP003", p, "admit the port from the application's group only; databases are never public")
	}
}

// internetCovered returns "IPv4" or "IPv6" when the CIDR rules of in that
// let tcp/port through cover every address of that family, "" otherwise.
func internetCovered(in []RuleSpec, port uint16) string {
	var v4, v6 netipx.IPSetBuilder
	for _, r := range in {
		c := r.Canonical()
		if !c.CIDR.IsValid() || !(c.Protocol == netplan.ProtocolAll || c.Protocol == netplan.ProtocolTCP && c.FromPort <= port && port <= c.ToPort) {
			continue
		}
		if c.CIDR.Addr().Is4() {
			v4.AddPrefix(c.CIDR.Masked())
		} else {
			v6.AddPrefix(c.CIDR.Masked())
		}
	}
	if s, err := v4.IPSet(); err == nil && s.ContainsPrefix(netip.MustParsePrefix("0.0.0.0/0")) {
		return "IPv4"
	}
	if s, err := v6.IPSet(); err == nil && s.ContainsPrefix(netip.MustParsePrefix("::/0")) {
		return "IPv6"
	}
	return ""
}

func (l *linter) cluster(id string, c *ClusterSpec) {
	if c.AllowIMDSv1 {
		l.add("BP010", id, "IMDSv1 allowed", "clear allow_imdsv1 once the nodes' software uses IMDSv2")
	}
	if c.UnencryptedVolumes {
		l.add("BP011", id, "root volumes not encrypted", "clear unencrypted_volumes")
	}
	if c.MetadataHopLimit > 1 {
		l.add("BP017", id, fmt.Sprintf("hop limit %d", c.MetadataHopLimit), "keep 1 unless containers on the nodes need the metadata service")
	}
	for _, ref := range c.LoadBalancers {
		lb, ok := l.bp.Resource(string(ref))
		if !ok || lb.LoadBalancer == nil {
			continue
		}
		for _, p := range targetPorts(lb.LoadBalancer, c.TargetPort) {
			if !l.admits(c.SecurityGroups, lb.LoadBalancer.SecurityGroups, p) {
				l.add("BP004", id, fmt.Sprintf("tcp/%d from %s is not admitted by the cluster's security groups", p, ref),
					"admit the port from the load balancer's group, or fix the listener's target port or the health check")
			}
		}
	}
}

// targetPorts returns the ports a load balancer reaches its targets on:
// the cluster's target port and the health check's port.
func targetPorts(lb *LoadBalancerSpec, target uint16) []uint16 {
	var ps []uint16
	if target != 0 {
		ps = append(ps, target)
	}
	if p := lb.HealthCheck.Port; p != 0 && p != target {
		ps = append(ps, p)
	}
	return ps
}

// admits reports whether an inbound rule of one of groups lets tcp/port in
// from one of sources (by group). A Blueprint whose rules name CIDRs
// instead (netplan.SourceCIDR) is not judged: the balancer's addresses
// are not in it.
func (l *linter) admits(groups, sources []Ref, port uint16) bool {
	for _, g := range groups {
		rs, ok := l.rules[g]
		if !ok {
			return true // no rule set: nothing to judge
		}
		for _, r := range rs.Inbound {
			c := r.Canonical()
			ok := c.Protocol == netplan.ProtocolAll || c.Protocol == netplan.ProtocolTCP && c.FromPort <= port && port <= c.ToPort
			if ok && (c.CIDR.IsValid() || slices.Contains(sources, c.Group)) {
				return true
			}
		}
	}
	return false
}

func (l *linter) loadBalancer(id string, lb *LoadBalancerSpec) {
	if lb.PlainHTTP && lb.HasListener("HTTPS") && lb.HasListener("HTTP") {
		l.add("BP012", id, "HTTP forwarded beside HTTPS", "clear plain_http to redirect HTTP to HTTPS")
	}
	if lb.HasListener("HTTPS", "TLS") && lb.TLSPolicy != "" && !strings.Contains(lb.TLSPolicy, "TLS13") {
		l.add("BP013", id, "security policy "+lb.TLSPolicy, "use "+DefaultTLSPolicy+" (the default) or another TLS13 policy")
	}
	if lb.KeepInvalidHeaders && lb.Type != LBNetwork {
		l.add("BP014", id, "invalid header fields kept", "clear keep_invalid_headers")
	}
	if lb.AllowDeletion {
		l.add("BP015", id, "deletion protection off", "clear allow_deletion")
	}
}
