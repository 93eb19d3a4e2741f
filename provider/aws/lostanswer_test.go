package aws_test

import (
	"context"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/providertest"
)

// loseFirstAnswer lets the first attempt of op reach the server, then
// answers the SDK with a RequestTimeout, which its retryer retries: the
// answer of a create that took effect is lost.
func loseFirstAnswer(op string) func(*middleware.Stack) error {
	var lost atomic.Bool
	mw := middleware.FinalizeMiddlewareFunc("loseFirstAnswer", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if err == nil && middleware.GetOperationName(ctx) == op && lost.CompareAndSwap(false, true) {
			return middleware.FinalizeOutput{}, md, &smithy.GenericAPIError{Code: "RequestTimeout", Message: "answer lost (injected)"}
		}
		return out, md, err
	})
	return func(s *middleware.Stack) error { return s.Finalize.Insert(mw, "Retry", middleware.After) }
}

// TestCreateSubnetAnswerLost: the answer of a CreateSubnet that took
// effect is lost. The SDK does not send it again (a repeat of a create
// without a client token could make a second resource): the driver's
// error is Retryable, and the next Create, the engine's retry, finds the
// subnet the first one made by its tags instead of making another.
func TestCreateSubnetAnswerLost(t *testing.T) {
	t.Parallel()
	td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, loseFirstAnswer("CreateSubnet")) })
	ctx := t.Context()
	const dep = "lost"
	req := func(r blueprint.Resource) driver.Request {
		tok := driver.Token(dep, r.ID, "run-1")
		return driver.Request{Deployment: dep, Resource: r, Token: tok,
			Tags: map[string]string{driver.TagDeployment: dep, driver.TagLogicalID: r.ID, driver.TagToken: tok}}
	}
	vpc, err := providertest.CreateRetry(ctx, td.Driver, req(blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet,
		Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.9.0.0/16")}}))
	require.NoError(t, err)
	zones, err := td.Zones(ctx)
	require.NoError(t, err)
	sreq := req(blueprint.Resource{ID: "subnet/web/a", Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
		Net: blueprint.Ref(vpc.ID), CIDR: netip.MustParsePrefix("10.9.1.0/24"), Zone: zones[0], Tier: "web"}})
	_, err = td.Create(ctx, sreq)
	require.ErrorIs(t, err, driver.ErrUnavailable)
	assert.True(t, driver.IsRetryable(err), "the engine retries it, through the driver's look-up")
	td.calls.mu.Lock()
	assert.Equal(t, 1, td.calls.opAttempts["CreateSubnet"], "the SDK did not send it again")
	td.calls.mu.Unlock()
	sub, err := td.Create(ctx, sreq)
	require.NoError(t, err)
	assert.Equal(t, "subnet/web/a", sub.LogicalID)
	subnets, err := td.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	assert.Len(t, subnets, 1, "one subnet, not two")
	td.calls.mu.Lock()
	assert.Equal(t, 1, td.calls.opAttempts["CreateSubnet"], "found, not made again")
	td.calls.mu.Unlock()
}
