package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// The engine lints a Blueprint it is given directly, not built by package
// pattern: SSH open to the internet in two halves, and a load balancer
// target port the cluster's group does not admit, stop Plan and Apply
// before the first write; acknowledged, they pass and the plan shows them with
// the reason.
func TestEngineLintsBlueprints(t *testing.T) {
	t.Parallel()
	bp := threeTier("lint", "")
	for i := range bp.Resources {
		r := &bp.Resources[i]
		switch r.ID {
		case "security_group_rules/web":
			for _, half := range []string{"0.0.0.0/1", "128.0.0.0/1"} {
				r.SecurityGroupRules.Inbound = append(r.SecurityGroupRules.Inbound, tcpCIDR(22, half))
			}
		case "load_balancer/web":
			r.LoadBalancer.HealthCheck.Port = 8081
		}
	}
	d := fake.New()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Plan(t.Context(), bp)
	require.ErrorIs(t, err, provider.ErrLint)
	assert.Contains(t, err.Error(), "security_group_rules/web: BP001: ssh-from-internet: tcp/22 is open to every IPv4 address")
	assert.Contains(t, err.Error(), "cluster/web: BP004: target-port-closed: tcp/8081 from load_balancer/web")
	assert.Zero(t, d.Counts().Writes, "refused before the first write")
	_, err = eng.Apply(t.Context(), bp)
	require.ErrorIs(t, err, provider.ErrLint)
	assert.Zero(t, d.Counts().Writes)

	bp.Acknowledgements = []blueprint.Acknowledgement{
		{ID: "BP001", Subject: "security_group_rules/web", Reason: "break-glass access during the migration"},
		{ID: "BP004", Subject: "cluster/web", Reason: "the health check answers on 8081 through a sidecar"},
	}
	cs, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	assert.Contains(t, cs.String(), "# error BP001 security_group_rules/web: ssh-from-internet: tcp/22 is open to every IPv4 address; "+
		"admit SSH from a bastion's group, a VPN peer or the admins' CIDRs only (acknowledged: break-glass access during the migration)")
	require.Len(t, cs.Findings, 2)
	assert.Equal(t, "the health check answers on 8081 through a sidecar", cs.Findings[1].Acknowledged)
}

// An opt-out of a secure default is a warning the plan shows.
func TestEngineShowsOptOuts(t *testing.T) {
	t.Parallel()
	bp := threeTier("optout", "")
	for i := range bp.Resources {
		switch r := &bp.Resources[i]; {
		case r.Cluster != nil:
			r.Cluster.AllowIMDSv1 = true
		case r.Net != nil:
			r.Net.KeepDefaultSecurityGroupRules = true
		}
	}
	cs, err := provider.NewEngine(fake.New(), fastOpts).Plan(t.Context(), bp)
	require.NoError(t, err)
	ids := map[string]netplan.Severity{}
	for _, f := range cs.Findings {
		ids[f.ID+" "+f.Subject] = f.Severity
	}
	assert.Equal(t, map[string]netplan.Severity{
		"BP010 cluster/app": netplan.SeverityWarning, "BP010 cluster/web": netplan.SeverityWarning, "BP016 net/main": netplan.SeverityWarning,
	}, ids)
	assert.Contains(t, cs.String(), "# warning BP010 cluster/web: imdsv1-allowed")
}
