package provider_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// grantedWebApp is the web app whose app cluster reads a bucket and
// consumes a queue: an S3 gateway endpoint and an SQS interface endpoint.
func grantedWebApp(t *testing.T, profile netplan.Profile) *blueprint.Blueprint {
	t.Helper()
	a := pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: profile})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("shop-assets"), tier.ConsumeQueue("orders")}
		}
	}
	bp, err := a.Build()
	require.NoError(t, err)
	return bp
}

// On the fake as AWS, the endpoints are made with the rest, an unchanged
// apply writes nothing, and the destroy leaves nothing.
func TestEndpointsOnFake(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := grantedWebApp(t, netplan.AWS)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	state, dups := snapshot(t, d, "shop")
	assert.Empty(t, dups)
	assert.Contains(t, state, "net_endpoint/s3")
	assert.Contains(t, state["net_endpoint/sqs"], `"private_dns":true`)
	assert.Contains(t, state["security_group_rules/app"], `"prefix_list":"s3"`)
	logical := map[blueprint.Ref]string{} // provider id -> logical id
	for _, k := range []blueprint.Kind{blueprint.KindRouteTable, blueprint.KindSubnet, blueprint.KindSecurityGroup} {
		obs, err := d.List(t.Context(), driver.Query{Deployment: "shop", Kind: k})
		require.NoError(t, err)
		for _, o := range obs {
			logical[blueprint.Ref(o.ID)] = o.LogicalID
		}
	}
	names := func(refs []blueprint.Ref) []string {
		var out []string
		for _, r := range refs {
			out = append(out, logical[r])
		}
		return out
	}
	eps, err := d.List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindNetEndpoint})
	require.NoError(t, err)
	require.Len(t, eps, 2)
	for _, o := range eps {
		e := o.Resource.NetEndpoint
		switch o.LogicalID {
		case "net_endpoint/s3":
			assert.ElementsMatch(t, []string{"route_table/app/a", "route_table/app/b"}, names(e.RouteTables), "the private tier's tables only")
		case "net_endpoint/sqs":
			assert.ElementsMatch(t, []string{"subnet/app/a", "subnet/app/b"}, names(e.Subnets))
			assert.Equal(t, []string{"security_group/endpoint-sqs"}, names(e.SecurityGroups))
		}
	}
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes)
	_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp))
	require.NoError(t, err)
	state, _ = snapshot(t, d, "shop")
	assert.Empty(t, state)
}

// On the fake as OUTSCALE, the s3 endpoint is a Net access point to OOS;
// the sqs interface endpoint, which OUTSCALE lacks, is refused before any
// call, naming the field and the fix, or dropped with a notice under
// AllowFallback; the rule to the S3 prefix list stays; an unchanged apply
// writes nothing; the db tier's tables join the access point by one
// update; the destroy leaves nothing.
func TestEndpointsOnOutscaleFake(t *testing.T) {
	t.Parallel()
	bp := grantedWebApp(t, netplan.Outscale)
	d := newFake(fake.Outscale)
	_, err := provider.NewEngine(d, fastOpts).Plan(t.Context(), bp)
	require.ErrorIs(t, err, driver.ErrUnsupported)
	assert.Contains(t, err.Error(), "net_endpoint/sqs: net_endpoint.service: sqs (Interface endpoint) not supported by fake")
	assert.Contains(t, err.Error(), `add "sqs" to Architecture.Endpoints.Drop`)
	assert.NotContains(t, err.Error(), "net_endpoint/s3")

	var c collector
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true; o.OnEvent = c.handle })
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	var notices []string
	for _, ev := range c.all() {
		if ev.Type == provider.EventNotice && strings.Contains(ev.Message, "net_endpoint/") {
			notices = append(notices, ev.Message)
		}
	}
	require.Len(t, notices, 1, "the sqs endpoint only")
	assert.Contains(t, notices[0], "net_endpoint/sqs: dropped")
	state, dups := snapshot(t, d, "shop")
	assert.Empty(t, dups)
	assert.JSONEq(t, `{"net":"net/main","service":"s3","type":"Gateway","route_tables":["route_table/app/a","route_table/app/b"]}`, state["net_endpoint/s3"],
		"on the private tier's tables only")
	assert.NotContains(t, state, "net_endpoint/sqs")
	assert.Contains(t, state["security_group_rules/app"], `"prefix_list":"s3"`)
	assert.Contains(t, state["security_group_rules/app"], "security_group/endpoint-sqs", "the endpoint's group stays, harmless")

	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes)

	// The db tier calls S3 too: its tables join the access point in place.
	a := pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: netplan.Outscale})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("shop-assets"), tier.ConsumeQueue("orders")}
		}
	}
	wider, err := a.AddEndpoint(tier.ServiceS3, "db").Build()
	require.NoError(t, err)
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), wider)
	require.NoError(t, err)
	var endpointWrites []string
	for _, c := range d.Calls() {
		if c.IsWrite() && c.Kind == blueprint.KindNetEndpoint {
			endpointWrites = append(endpointWrites, c.Op+" "+c.LogicalID)
		}
	}
	assert.Equal(t, []string{fake.OpUpdate + " net_endpoint/s3"}, endpointWrites, "one update, in place")
	state, _ = snapshot(t, d, "shop")
	assert.JSONEq(t, `{"net":"net/main","service":"s3","type":"Gateway","route_tables":["route_table/app/a","route_table/app/b","route_table/db/a","route_table/db/b"]}`,
		state["net_endpoint/s3"])

	_, err = eng.Destroy(t.Context(), "shop", allowStateful(wider))
	require.NoError(t, err)
	state, _ = snapshot(t, d, "shop")
	assert.Empty(t, state)
}
