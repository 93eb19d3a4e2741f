package provider

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/ratelimit"
)

// remote is a fake that says it is no local driver, as a cloud driver
// would.
type remote struct{ *fake.Driver }

func (r remote) Capabilities() driver.Capabilities {
	c := r.Driver.Capabilities()
	c.Local = false
	return c
}

// The engine's limiter meters a cloud driver with the buckets of its cloud
// by default, a local driver with none unless asked, one flat bucket for a
// positive RateLimit, none for a negative one, and the caller's own when
// Options.Limiter is set.
func TestEngineLimiter(t *testing.T) {
	t.Parallel()
	shared := ratelimit.New(ratelimit.AWS)
	generic := remote{fake.New(func(o *fake.Options) { o.Profile = netplan.Generic })}
	subnet := ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "CreateSubnet"}
	oscSubnet := ratelimit.Call{Service: ratelimit.ServiceOutscale, Action: "CreateSubnet"}
	tests := []struct {
		name string
		d    driver.Driver
		opts func(*Options)
		want map[string]int // the buckets a CreateSubnet of each cloud takes from; nil: no limiter
	}{
		{"AWS by default", remote{fake.New()}, nil, map[string]int{"EC2 CreateSubnet": 1}},
		{"OUTSCALE by default", remote{fake.New(fake.Outscale)}, nil, map[string]int{"OUTSCALE account": 1}},
		{"a local driver: none by default", fake.New(), nil, nil},
		{"a local driver with the table of its cloud", fake.New(fake.Outscale), func(o *Options) { o.RateLimits = ratelimit.Outscale }, map[string]int{"OUTSCALE account": 1}},
		{"another cloud: none", generic, nil, nil},
		{"flat", fake.New(), func(o *Options) { o.RateLimit = 20 }, map[string]int{"flat": 2}},
		{"none", fake.New(), func(o *Options) { o.RateLimit = -1 }, nil},
		{"a table of the caller's", generic, func(o *Options) { o.RateLimits = ratelimit.AWS }, map[string]int{"EC2 CreateSubnet": 1}},
	}
	for _, tc := range tests {
		e := NewEngine(tc.d, tc.opts)
		if tc.want == nil {
			assert.Nil(t, e.lim, tc.name)
			continue
		}
		require.NoError(t, e.lim.Wait(t.Context(), subnet))
		require.NoError(t, e.lim.Wait(t.Context(), oscSubnet))
		assert.Equal(t, tc.want, e.lim.Taken(), tc.name)
	}
	e := NewEngine(fake.New(), func(o *Options) { o.Limiter, o.RateLimit = shared, 20 })
	assert.Same(t, shared, e.lim, "a shared limiter wins")
}

// The fake reports each call to the limiter of its context as the request
// its cloud's driver sends first for it.
func TestFakeMeteredAsItsCloud(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		d    *fake.Driver
		want map[string]int
	}{
		{"aws", fake.New(), map[string]int{"EC2 DescribeAvailabilityZones": 1, "EC2 CreateVpc": 1, "EC2 DescribeVpcs": 1}},
		{"outscale", fake.New(fake.Outscale), map[string]int{"OUTSCALE account": 3}},
	} {
		lim := ratelimit.New(ratelimit.AWS)
		if tc.name == "outscale" {
			lim = ratelimit.New(ratelimit.Outscale)
		}
		c := &client{d: tc.d, lim: lim}
		ctx := t.Context()
		_, err := c.zones(ctx)
		require.NoError(t, err)
		net := blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netplan.MustParsePrefix("10.0.0.0/16")}}
		_, err = c.create(ctx, driver.Request{Deployment: "d", Resource: net, Tags: map[string]string{driver.TagDeployment: "d"}})
		require.NoError(t, err)
		_, err = c.list(ctx, driver.Query{Deployment: "d", Kind: blueprint.KindNet})
		require.NoError(t, err)
		assert.Equal(t, tc.want, lim.Taken(), tc.name)
	}
}

// With one place and a limiter that makes every request wait, an apply
// still completes: a node waiting for tokens gives its place up and takes
// it back.
func TestApplyWithOnePlaceAndWaits(t *testing.T) {
	t.Parallel()
	bp := &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: "d", Resources: []blueprint.Resource{
		{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netplan.MustParsePrefix("10.0.0.0/16")}},
		{ID: "subnet/a", Kind: blueprint.KindSubnet, DependsOn: []string{"net/main"}, Subnet: &blueprint.SubnetSpec{Net: "net/main", CIDR: netplan.MustParsePrefix("10.0.1.0/24"), Zone: "a", Tier: "web"}},
		{ID: "subnet/b", Kind: blueprint.KindSubnet, DependsOn: []string{"net/main"}, Subnet: &blueprint.SubnetSpec{Net: "net/main", CIDR: netplan.MustParsePrefix("10.0.2.0/24"), Zone: "b", Tier: "web"}},
	}}
	lim := ratelimit.New(ratelimit.Flat(500, 1))
	e := NewEngine(fake.New(), func(o *Options) { o.Limiter, o.Parallelism = lim, 1 })
	res, err := e.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Equal(t, 3, res.Created)
	assert.Equal(t, res.ReadCalls+res.WriteCalls+2, lim.Taken()["flat"], "and the lock's take and release")
}
