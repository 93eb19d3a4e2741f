package pattern_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// The stateful clusters of the ready patterns can form: the nodes of each
// database, bus and cache tier reach each other on their engine's peer
// ports, through the tier's security group (which names itself) and the
// network ACLs between its subnets, checked on the fake along the path
// (AWS profile, with network ACLs).
func TestReadyPatternsClustersCanCluster(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		arch  *pattern.Architecture
		tiers map[string][]string // tier -> peer ports "tcp/4567"
	}{
		{"threetier", pattern.ThreeTier(pattern.ThreeTierOptions{Profile: netplan.AWS}),
			map[string][]string{"db": {"tcp/3306", "tcp/4444", "tcp/4567", "udp/4567", "tcp/4568"}}},
		{"cloudnative-rabbitmq", pattern.CloudNative(pattern.CloudNativeOptions{Profile: netplan.AWS}),
			map[string][]string{"bus": {"tcp/4369", "tcp/25672", "tcp/35672", "tcp/35682"}, "db": {"tcp/3306", "tcp/4444", "tcp/4567", "udp/4567", "tcp/4568"}}},
		{"cloudnative-kafka", pattern.CloudNative(pattern.CloudNativeOptions{Profile: netplan.AWS, Bus: pattern.BusKafka}),
			map[string][]string{"bus": {"tcp/9092", "tcp/9093"}}},
		// The managed database and cache fall back to clusters where the
		// cloud has no managed service: on OUTSCALE's profile they peer.
		{"elastic", pattern.Elastic(pattern.ElasticOptions{Profile: netplan.Outscale}),
			map[string][]string{"db": {"tcp/5432"}}},
		{"webapp", pattern.WebApp(pattern.WebAppOptions{Profile: netplan.Outscale}),
			map[string][]string{"db": {"tcp/3306", "tcp/4444", "tcp/4567", "udp/4567", "tcp/4568"}}},
		{"dmz", pattern.DMZ(pattern.DMZOptions{Profile: netplan.AWS}),
			map[string][]string{"db": {"tcp/3306", "tcp/4567"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bp := build(t, tc.arch)
			d := fake.New()
			_, err := provider.NewEngine(d, func(o *provider.Options) {
				o.RateLimit, o.PollMin, o.PollMax = -1, time.Millisecond, time.Millisecond
			}).Apply(t.Context(), bp)
			require.NoError(t, err)
			r := rules(t, tc.arch)
			for name, ports := range tc.tiers {
				group := "security_group/" + name
				for _, p := range ports {
					f, err := netplan.ParseFlow(name + " -> " + name + " " + p)
					require.NoError(t, err)
					assert.True(t, selfRule(sgRules(t, bp, name).Inbound, group, f), "%s: group admits its own nodes on %s", name, p)
					fake.AssertAllows(t, d, group, group, f.Protocol, f.Ports.From)
					v := r.CanReach(netplan.Query{From: netplan.Tier(name), To: name, Protocol: f.Protocol, Port: f.Ports.From})
					assert.True(t, v.Allowed, "%s %s: %s", name, p, v)
				}
			}
		})
	}
}

// On AWS's profile a managed database or cache always exists (RDS and
// ElastiCache replicate on the cloud's own network): its group admits
// none of its own members, which its fallback cluster's peer ports would.
func TestManagedTiersHaveNoPeerRulesOnAWS(t *testing.T) {
	t.Parallel()
	for name, arch := range map[string]*pattern.Architecture{
		"webapp":  pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS}),
		"elastic": pattern.Elastic(pattern.ElasticOptions{Profile: netplan.AWS}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bp := build(t, arch)
			for _, r := range sgRules(t, bp, "db").Inbound {
				assert.NotEqual(t, "security_group/db", string(r.Group), "db admits its own group: %v", r)
			}
		})
	}
}

// selfRule reports whether one of rules admits group itself on f's
// protocol and port.
func selfRule(rules []blueprint.RuleSpec, group string, f netplan.Flow) bool {
	for _, r := range rules {
		if string(r.Group) == group && r.Protocol == f.Protocol && r.FromPort <= f.Ports.From && f.Ports.From <= r.ToPort {
			return true
		}
	}
	return false
}

// A Memcached cache has no peer port, and a cluster of web or application
// servers none either: no rule names its own group.
func TestStatelessTiersHaveNoPeerRules(t *testing.T) {
	t.Parallel()
	bp := build(t, pattern.Elastic(pattern.ElasticOptions{Cache: pattern.CacheMemcached}))
	for _, name := range []string{"cache", "web", "app"} {
		for _, r := range sgRules(t, bp, name).Inbound {
			assert.NotEqual(t, blueprint.Ref("security_group/"+name), r.Group, "%s: %v", name, r)
		}
	}
}
