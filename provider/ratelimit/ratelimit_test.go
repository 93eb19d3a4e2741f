package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/ratelimit"
)

func TestAWSBuckets(t *testing.T) {
	t.Parallel()
	ec2 := func(action string) ratelimit.Call {
		return ratelimit.Call{Service: ratelimit.ServiceEC2, Action: action}
	}
	tests := []struct {
		name string
		call ratelimit.Call
		want []ratelimit.Meter
	}{
		{"mutating, per action", ec2("CreateSubnet"), []ratelimit.Meter{{Name: "EC2 CreateSubnet", Bucket: ratelimit.Bucket{Size: 50, Refill: 5}}}},
		{"non-mutating", ec2("DescribeSubnets"), []ratelimit.Meter{{Name: "EC2 DescribeSubnets", Bucket: ratelimit.Bucket{Size: 100, Refill: 20}}}},
		{"filtered security groups", ec2("DescribeSecurityGroups"), []ratelimit.Meter{{Name: "EC2 DescribeSecurityGroups", Bucket: ratelimit.Bucket{Size: 100, Refill: 20}}}},
		{"unfiltered security groups",
			ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "DescribeSecurityGroups", Unfiltered: true},
			[]ratelimit.Meter{{Name: "EC2 DescribeSecurityGroups unfiltered", Bucket: ratelimit.Bucket{Size: 50, Refill: 10}}}},
		{"unfiltered but not in the list", ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "DescribeVpcs", Unfiltered: true},
			[]ratelimit.Meter{{Name: "EC2 DescribeVpcs", Bucket: ratelimit.Bucket{Size: 100, Refill: 20}}}},
		{"resource-intensive", ec2("AuthorizeSecurityGroupIngress"), []ratelimit.Meter{{Name: "EC2 AuthorizeSecurityGroupIngress", Bucket: ratelimit.Bucket{Size: 50, Refill: 5}}}},
		{"uncategorized NAT gateway", ec2("CreateNatGateway"), []ratelimit.Meter{{Name: "EC2 CreateNatGateway", Bucket: ratelimit.Bucket{Size: 10, Refill: 1}}}},
		{"uncategorized tags", ec2("CreateTags"), []ratelimit.Meter{{Name: "EC2 CreateTags", Bucket: ratelimit.Bucket{Size: 100, Refill: 10}}}},
		{"ELBv2 create", ratelimit.Call{Service: ratelimit.ServiceELBv2, Action: "CreateLoadBalancer"}, []ratelimit.Meter{
			{Name: "Elastic Load Balancing v2 account", Bucket: ratelimit.Bucket{Size: 40, Refill: 10}},
			{Name: "Elastic Load Balancing v2 resource-intensive", Bucket: ratelimit.Bucket{Size: 10, Refill: 0.2}}}},
		{"ELBv2 listener", ratelimit.Call{Service: ratelimit.ServiceELBv2, Action: "CreateListener"}, []ratelimit.Meter{
			{Name: "Elastic Load Balancing v2 account", Bucket: ratelimit.Bucket{Size: 40, Refill: 10}},
			{Name: "Elastic Load Balancing v2 mutating", Bucket: ratelimit.Bucket{Size: 20, Refill: 3}}}},
		{"ELBv2 targets", ratelimit.Call{Service: ratelimit.ServiceELBv2, Action: "RegisterTargets"}, []ratelimit.Meter{
			{Name: "Elastic Load Balancing v2 account", Bucket: ratelimit.Bucket{Size: 40, Refill: 10}},
			{Name: "Elastic Load Balancing v2 registration", Bucket: ratelimit.Bucket{Size: 20, Refill: 4}}}},
		{"ELBv2 describe", ratelimit.Call{Service: ratelimit.ServiceELBv2, Action: "DescribeTargetGroups"}, []ratelimit.Meter{
			{Name: "Elastic Load Balancing v2 account", Bucket: ratelimit.Bucket{Size: 40, Refill: 10}},
			{Name: "Elastic Load Balancing v2 non-mutating", Bucket: ratelimit.Bucket{Size: 40, Refill: 10}}}},
		{"RDS, per account", ratelimit.Call{Service: ratelimit.ServiceRDS, Action: "CreateDBInstance"},
			[]ratelimit.Meter{{Name: "RDS account", Bucket: ratelimit.Bucket{Size: 300, Refill: 12}}}},
		{"Auto Scaling, per account", ratelimit.Call{Service: ratelimit.ServiceAutoScaling, Action: "DescribeAutoScalingGroups"},
			[]ratelimit.Meter{{Name: "Auto Scaling account", Bucket: ratelimit.Bucket{Size: 50, Refill: 5}}}},
		{"another service", ratelimit.Call{Service: "S3", Action: "PutObject"}, nil},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, ratelimit.AWS(tc.call), tc.name)
	}
}

func TestOutscaleBucket(t *testing.T) {
	t.Parallel()
	want := []ratelimit.Meter{{Name: "OUTSCALE account", Bucket: ratelimit.Bucket{Size: 10, Refill: 5}}}
	assert.Equal(t, want, ratelimit.Outscale(ratelimit.Call{Service: ratelimit.ServiceOutscale, Action: "CreateNet"}))
	assert.Equal(t, want, ratelimit.Outscale(ratelimit.Call{Service: ratelimit.ServiceOutscale, Action: "ReadVms"}), "one bucket for the account")
	assert.Nil(t, ratelimit.Outscale(ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "CreateVpc"}))
}

// A bucket lets Size requests through at once and refuses to wait past a
// deadline for the next one; buckets of other actions are not touched.
func TestLimiterBurstAndDeadline(t *testing.T) {
	t.Parallel()
	l := ratelimit.New(ratelimit.AWS)
	create := ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "CreateNatGateway"} // 10 tokens, 1 a second
	for range 10 {
		require.NoError(t, l.Wait(t.Context(), create))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	assert.Error(t, l.Wait(ctx, create), "the 11th waits a second, past the deadline")
	require.NoError(t, l.Wait(ctx, ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "CreateSubnet"}), "another action, another bucket")
	assert.Equal(t, map[string]int{"EC2 CreateNatGateway": 10, "EC2 CreateSubnet": 1}, l.Taken())
}

func TestBound(t *testing.T) {
	t.Parallel()
	l := ratelimit.New(ratelimit.Flat(1e9, 300)) // fast enough not to wait
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				assert.NoError(t, l.Wait(t.Context(), ratelimit.Call{Service: ratelimit.ServiceRDS, Action: "x"}))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, map[string]int{"flat": 400}, l.Taken())
	assert.Equal(t, time.Duration(float64(100)/1e9*float64(time.Second)), l.Bound())

	aws := ratelimit.New(ratelimit.AWS)
	for range 50 {
		require.NoError(t, aws.Wait(t.Context(), ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "CreateSubnet"}))
	}
	assert.Zero(t, aws.Bound(), "50 creates fit in the full bucket")
}

func TestContext(t *testing.T) {
	t.Parallel()
	call := ratelimit.Call{Service: ratelimit.ServiceOutscale, Action: "ReadNets"}
	require.NoError(t, ratelimit.Wait(t.Context(), call), "no limiter: no wait")
	assert.Nil(t, ratelimit.FromContext(t.Context()))
	l := ratelimit.New(ratelimit.Outscale)
	ctx := ratelimit.NewContext(t.Context(), l)
	assert.Same(t, l, ratelimit.FromContext(ctx))
	require.NoError(t, ratelimit.Wait(ctx, call))
	assert.Equal(t, map[string]int{"OUTSCALE account": 1}, l.Taken())
	var none *ratelimit.Limiter
	require.NoError(t, none.Wait(t.Context(), call), "a nil Limiter does not wait")
	assert.Zero(t, none.Bound())
}

type countingSlot struct{ released, acquired int }

func (s *countingSlot) Release() { s.released++ }
func (s *countingSlot) Acquire() { s.acquired++ }

// A request that waits for a token gives its caller's place up meanwhile
// and takes one back; one that finds a token keeps it.
func TestWaitGivesTheSlotUp(t *testing.T) {
	t.Parallel()
	// One token, then one every 500 ms: a millisecond refill let the second
	// call find a token when the machine paused between the two (seen in CI).
	l := ratelimit.New(ratelimit.Flat(2, 1))
	s := &countingSlot{}
	ctx := ratelimit.WithSlot(t.Context(), s)
	call := ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "CreateVpc"}
	require.NoError(t, l.Wait(ctx, call))
	assert.Equal(t, countingSlot{}, *s, "the first token is there")
	require.NoError(t, l.Wait(ctx, call))
	assert.Equal(t, countingSlot{released: 1, acquired: 1}, *s)
}
