package fake_test

import (
	"net/netip"
	"slices"
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

// applyFake applies bp to a new fake made with optFns.
func applyFake(t *testing.T, bp *blueprint.Blueprint, optFns ...func(*fake.Options)) *fake.Driver {
	t.Helper()
	d := fake.New(optFns...)
	_, err := provider.NewEngine(d, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = time.Millisecond, time.Millisecond
	}).Apply(t.Context(), bp)
	require.NoError(t, err)
	return d
}

func webApp(t *testing.T, o pattern.WebAppOptions) *blueprint.Blueprint {
	t.Helper()
	o.Profile = netplan.AWS
	bp, err := pattern.WebApp(o).Build()
	require.NoError(t, err)
	return bp
}

// The web app on the fake: every declared path passes the groups and the
// network ACLs, the application reaches the internet through the NAT of
// its zone, and nothing else passes.
func TestAllowsAlongThePath(t *testing.T) {
	t.Parallel()
	d := applyFake(t, webApp(t, pattern.WebAppOptions{}))
	fake.AssertAllows(t, d, "security_group/app-lb", "security_group/app", netplan.ProtocolTCP, 8080)
	fake.AssertAllows(t, d, "security_group/app", "security_group/db", netplan.ProtocolTCP, 3306)
	fake.AssertAllows(t, d, "security_group/app", "internet", netplan.ProtocolTCP, 443)
	fake.AssertDenies(t, d, "security_group/app", "internet", netplan.ProtocolTCP, 80)
	fake.AssertDenies(t, d, "security_group/db", "internet", netplan.ProtocolTCP, 443)
	fake.AssertDenies(t, d, "security_group/db", "security_group/app", netplan.ProtocolTCP, 8080)
}

// withoutTransit returns bp with the public tier's network ACL as it was
// before netplan derived the NAT transit (issue 14): no inbound tcp/443
// from the app's subnets, no outbound tcp/443 to the internet, no
// inbound replies from the internet to the NAT's ports.
func withoutTransit(bp *blueprint.Blueprint, app netip.Prefix) *blueprint.Blueprint {
	out := *bp
	out.Resources = slices.Clone(bp.Resources)
	anywhere := netip.MustParsePrefix("0.0.0.0/0")
	for i, r := range out.Resources {
		if r.ID != "network_acl/public" {
			continue
		}
		r = r.Clone()
		acl := r.NetworkACL
		acl.Inbound = slices.DeleteFunc(acl.Inbound, func(e blueprint.ACLEntrySpec) bool {
			return e.Allow && (e.FromPort == 443 && e.CIDR == app || e.FromPort == 1024 && e.CIDR == anywhere)
		})
		acl.Outbound = slices.DeleteFunc(acl.Outbound, func(e blueprint.ACLEntrySpec) bool {
			return e.Allow && e.FromPort == 443 && e.CIDR == anywhere
		})
		out.Resources[i] = r
	}
	return &out
}

// On the network ACLs of the web app before the NAT transit was derived,
// the fake drops the application's HTTPS to the internet, as AWS did,
// and says where: the public subnet's ACL, on the way into the NAT
// gateway. The groups alone allowed it.
func TestAllowsFailsOnThePreFixACLs(t *testing.T) {
	t.Parallel()
	bp := webApp(t, pattern.WebAppOptions{})
	d := applyFake(t, withoutTransit(bp, netip.MustParsePrefix("10.0.2.0/23")))
	var r recorder
	assert.False(t, fake.AssertAllows(&r, d, "security_group/app", "internet", netplan.ProtocolTCP, 443))
	require.Len(t, r.msgs, 1)
	assert.Regexp(t, `network ACL acl-\w+ of subnet subnet-\w+ drops inbound tcp/443 from 10\.0\.[23]\.0/24 \(the request enters the NAT gateway's subnet\)`, r.msgs[0])
	// The path inside the Net is unchanged.
	fake.AssertAllows(t, d, "security_group/app", "security_group/db", netplan.ProtocolTCP, 3306)
}

// Replies go back to the client's ephemeral ports: ACLs narrowed to
// Linux's range pass Linux clients and drop a client that may use
// 1024-65535.
func TestAllowsChecksEphemeralRange(t *testing.T) {
	t.Parallel()
	bp := webApp(t, pattern.WebAppOptions{Ephemeral: netplan.LinuxEphemeral})
	linux := applyFake(t, bp, func(o *fake.Options) { o.Ephemeral = netplan.LinuxEphemeral })
	fake.AssertAllows(t, linux, "security_group/app", "security_group/db", netplan.ProtocolTCP, 3306)
	fake.AssertAllows(t, linux, "security_group/app", "internet", netplan.ProtocolTCP, 443)

	any := applyFake(t, bp)
	var r recorder
	assert.False(t, fake.AssertAllows(&r, any, "security_group/app", "security_group/db", netplan.ProtocolTCP, 3306))
	require.Len(t, r.msgs, 1)
	assert.Regexp(t, `drops outbound tcp/1024-65535 to 10\.0\.[23]\.0/24 \(the replies leave, to the client's ephemeral ports\)`, r.msgs[0])
}

// A destination the groups allow but no route carries is dropped, and
// so is one the groups do not allow.
func TestAllowsChecksRoutes(t *testing.T) {
	t.Parallel()
	d := applyFake(t, webApp(t, pattern.WebAppOptions{}))
	rt, ok := fake.AssertExists(t, d, "webapp", "route_table/app/a")
	require.True(t, ok)
	require.NoError(t, d.Mutate(rt.ID, func(r *blueprint.Resource) { r.RouteTable.Routes = nil }))
	var r recorder
	assert.False(t, fake.AssertAllows(&r, d, "security_group/app", "internet", netplan.ProtocolTCP, 443))
	require.Len(t, r.msgs, 1)
	assert.Regexp(t, `the route table of subnet subnet-\w+ has no route to 0\.0\.0\.0/0`, r.msgs[0])

	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Profile: netplan.AWS}).Build() // the app tier is isolated
	require.NoError(t, err)
	tt := applyFake(t, bp)
	assert.False(t, fake.AssertAllows(&r, tt, "security_group/intel", "internet", netplan.ProtocolTCP, 443))
	assert.Contains(t, r.msgs[1], "no outbound rule of security_group/intel lets tcp/443 out to 0.0.0.0/0")
	fake.AssertAllows(t, tt, "security_group/nginx", "security_group/intel", netplan.ProtocolTCP, 8080)
}
