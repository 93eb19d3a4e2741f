package outscale_test

import (
	"context"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// defaultGroupRules reads the rules of the Net's default security group
// straight from the API (ReadSecurityGroups), not through the driver.
func defaultGroupRules(t *testing.T, srv *osctest.Server, net string) int {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	api := osc.NewAPIClient(cfg)
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	resp, _, err := api.SecurityGroupApi.ReadSecurityGroups(ctx).ReadSecurityGroupsRequest(osc.ReadSecurityGroupsRequest{
		Filters: &osc.FiltersSecurityGroup{NetIds: &[]string{net}, SecurityGroupNames: &[]string{"default"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, resp.GetSecurityGroups(), 1)
	g := resp.GetSecurityGroups()[0]
	return len(g.GetInboundRules()) + len(g.GetOutboundRules())
}

// The Net's default security group, which lets its members reach each
// other, is emptied on OUTSCALE as on AWS (EC2.2's equivalent), put back
// when the Net keeps it, and emptied again, in place; every call is
// checked against OUTSCALE's OpenAPI description.
func TestDefaultGroupEmptied(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	bp := threeTier(t, false)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	nets, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindNet})
	require.NoError(t, err)
	require.Len(t, nets, 1)
	assert.Zero(t, defaultGroupRules(t, srv, nets[0].ID))

	keep := cloneBlueprint(bp)
	for i := range keep.Resources {
		if keep.Resources[i].Net != nil {
			keep.Resources[i].Net.KeepDefaultSecurityGroupRules = true
		}
	}
	keep.Acknowledgements = []blueprint.Acknowledgement{{ID: "BP016", Subject: "net/main", Reason: "test"}}
	res, err := eng.Apply(t.Context(), keep)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Updated, "in place: %v", res.Changeset)
	assert.Equal(t, 2, defaultGroupRules(t, srv, nets[0].ID), "OUTSCALE's two rules are back")

	res, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Updated)
	assert.Zero(t, defaultGroupRules(t, srv, nets[0].ID))
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, srv.Violations())
}

func cloneBlueprint(bp *blueprint.Blueprint) *blueprint.Blueprint {
	c := *bp
	c.Resources = make([]blueprint.Resource, len(bp.Resources))
	for i, r := range bp.Resources {
		c.Resources[i] = r.Clone()
	}
	return &c
}
