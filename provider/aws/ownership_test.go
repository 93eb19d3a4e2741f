package aws_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/aws/internal/mototest"
	"github.com/archkit/archkit/provider/driver"
)

// connReset is the error of a call whose answer never came back: the
// connection was reset after the request was sent, as the SDK's HTTP
// client reports it.
func connReset() error {
	return &smithyhttp.RequestSendError{Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}
}

type paramsKey struct{}

// loseAnswers lets every call of an operation that match accepts reach
// moto, and loses the answer of the first attempt of each distinct call
// (operation and parameters) as a connection reset would: the call took
// effect, the caller does not know it. A call sent again with the same
// parameters gets its answer. It returns the middleware and a counter of
// the answers lost.
func loseAnswers(match func(op string) bool) (func(*middleware.Stack) error, *atomic.Int64) {
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		lost atomic.Int64
	)
	key := middleware.InitializeMiddlewareFunc("archkitParamsKey", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		raw, _ := json.Marshal(in.Parameters)
		ctx = middleware.WithStackValue(ctx, paramsKey{}, middleware.GetOperationName(ctx)+" "+string(raw))
		return next.HandleInitialize(ctx, in)
	})
	lose := middleware.FinalizeMiddlewareFunc("archkitLoseAnswers", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if err != nil || !match(middleware.GetOperationName(ctx)) {
			return out, md, err
		}
		k, _ := middleware.GetStackValue(ctx, paramsKey{}).(string)
		mu.Lock()
		first := !seen[k]
		seen[k] = true
		mu.Unlock()
		if first {
			lost.Add(1)
			return middleware.FinalizeOutput{}, md, connReset()
		}
		return out, md, err
	})
	return func(s *middleware.Stack) error {
		if err := s.Initialize.Add(key, middleware.Before); err != nil {
			return err
		}
		return s.Finalize.Insert(lose, "Retry", middleware.After)
	}, &lost
}

// creates matches the calls that make something.
func creates(op string) bool {
	for _, p := range []string{"Create", "Allocate", "Authorize", "Attach", "Associate"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// TestLostAnswerAfterEveryCreate loses the answer of every create of the
// web app once (each took effect, each caller saw a connection reset):
// the apply converges with every resource made once, and Destroy leaves
// nothing in the account, tagged or not, and no lock.
func TestLostAnswerAfterEveryCreate(t *testing.T) {
	t.Parallel()
	mw, lost := loseAnswers(creates)
	td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, mw) })
	ctx := t.Context()
	bp := webApp("lossy")
	withCertificate(bp, requestCertificate(ctx, t, td, "lossy.example.com"))
	eng := provider.NewEngine(td.Driver, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = 5*time.Millisecond, 20*time.Millisecond
		o.Retry = driver.RetryPolicy{MaxAttempts: 6, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
		o.WaitTimeout = 30 * time.Second
	})
	res, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	t.Logf("%s; %d answers lost", res, lost.Load())
	assert.Greater(t, lost.Load(), int64(len(bp.Resources)), "every create lost its answer once")
	assertOnce(t, td, bp)

	td.calls.reset()
	again, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes, "the second apply wrote: %v", ops)
	assert.Equal(t, len(bp.Resources), again.Unchanged)

	_, err = eng.Destroy(ctx, bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	assertAccountEmpty(t, td)
	_, err = td.ReadLock(ctx, bp.Deployment)
	require.ErrorIs(t, err, driver.ErrNotFound, "the lock is released")
}

// assertAccountEmpty checks that nothing archkit makes is left in the
// test's account, tagged or not: VPCs (but the default one), internet
// gateways, Elastic IPs, NAT gateways, launch templates (locks included),
// load balancers, target groups, autoscaling groups, databases and DB
// subnet groups.
func assertAccountEmpty(t *testing.T, td *testDriver) {
	t.Helper()
	ctx := t.Context()
	vpcs, err := td.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: awssdk.String("is-default"), Values: []string{"false"}}}})
	require.NoError(t, err)
	assert.Empty(t, vpcs.Vpcs, "VPCs")
	igws, err := td.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{})
	require.NoError(t, err)
	for _, g := range igws.InternetGateways {
		for _, a := range g.Attachments {
			assert.Contains(t, defaultVPCs(t, td), awssdk.ToString(a.VpcId), "internet gateway %s", awssdk.ToString(g.InternetGatewayId))
		}
		if len(g.Attachments) == 0 {
			t.Errorf("internet gateway %s left, attached to nothing", awssdk.ToString(g.InternetGatewayId))
		}
	}
	eips, err := td.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	require.NoError(t, err)
	assert.Empty(t, eips.Addresses, "Elastic IPs")
	nats, err := td.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{})
	require.NoError(t, err)
	for _, n := range nats.NatGateways {
		assert.Equal(t, ec2types.NatGatewayStateDeleted, n.State, "NAT gateway %s", awssdk.ToString(n.NatGatewayId))
	}
	lts, err := td.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{})
	require.NoError(t, err)
	assert.Empty(t, lts.LaunchTemplates, "launch templates")
	lbs, err := td.ELB.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{})
	require.NoError(t, err)
	assert.Empty(t, lbs.LoadBalancers, "load balancers")
	tgs, err := td.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{})
	require.NoError(t, err)
	assert.Empty(t, tgs.TargetGroups, "target groups")
	asgs, err := td.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	require.NoError(t, err)
	assert.Empty(t, asgs.AutoScalingGroups, "autoscaling groups")
	dbs, err := td.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	require.NoError(t, err)
	assert.Empty(t, dbs.DBInstances, "databases")
	groups, err := td.RDS.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{})
	require.NoError(t, err)
	assert.Empty(t, groups.DBSubnetGroups, "DB subnet groups")
}

func defaultVPCs(t *testing.T, td *testDriver) []string {
	t.Helper()
	out, err := td.EC2.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: awssdk.String("is-default"), Values: []string{"true"}}}})
	require.NoError(t, err)
	var ids []string
	for _, v := range out.Vpcs {
		ids = append(ids, awssdk.ToString(v.VpcId))
	}
	return ids
}

// TestAuthorizeAnswerLostRetriedBySDK: a retryer of the user's that sends
// every failed call again (it ignores the driver's "sent once" mark) repeats
// an AuthorizeSecurityGroupIngress whose answer was lost; moto refuses the
// repeat with InvalidPermission.Duplicate, since the first one took effect.
// The same for the revokes (the VPC's default group emptied, the default
// egress rule at creation, a rule removed by an update), whose repeat
// finds the rule gone. Each time the
// driver reads the group again and succeeds: the rules are as wanted.
func TestAuthorizeAnswerLostRetriedBySDK(t *testing.T) {
	t.Parallel()
	ep := mototest.Endpoint(t)
	account := mototest.Account()
	cfg := mototest.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
			// A lost answer is sent again, whatever the driver's mark says;
			// everything else as the SDK's standard retryer does (a loaded
			// moto drops a connection now and then).
			o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) awssdk.Ternary {
				var se *smithyhttp.RequestSendError
				if errors.As(err, &se) {
					return awssdk.TrueTernary
				}
				return awssdk.UnknownTernary
			})}, retry.DefaultRetryables...)
		})
	}
	mw, lost := loseAnswers(func(op string) bool {
		return strings.HasPrefix(op, "AuthorizeSecurityGroup") || strings.HasPrefix(op, "RevokeSecurityGroup")
	})
	c := &calls{}
	d, err := aws.NewFromConfig(cfg, func(o *aws.Options) {
		o.BaseEndpoint = ep
		o.APIOptions = append(append([]func(*middleware.Stack) error{mototest.WithAccount(account)}, c.apiOptions()...), mw)
	})
	require.NoError(t, err)
	ctx := t.Context()
	const dep = "dup"
	req := func(r blueprint.Resource) driver.Request {
		return driver.Request{Deployment: dep, Resource: r, Token: driver.Token(dep, r.ID, ""),
			Tags: map[string]string{driver.TagDeployment: dep, driver.TagLogicalID: r.ID}}
	}
	vpc, err := d.Create(ctx, req(blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.7.0.0/16")}}))
	require.NoError(t, err, "the revokes that empty the VPC's default group settle too")
	base := lost.Load()
	assert.Positive(t, base, "a revoke emptying the default group lost its answer")
	sg, err := d.Create(ctx, req(blueprint.Resource{ID: "security_group/db", Kind: blueprint.KindSecurityGroup,
		SecurityGroup: &blueprint.SecurityGroupSpec{Net: blueprint.Ref(vpc.ID), Name: "dup-db", Description: "db"}}))
	require.NoError(t, err)
	rule := func(port uint16) blueprint.RuleSpec {
		return blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, CIDR: netip.MustParsePrefix("10.7.1.0/24")}
	}
	want := blueprint.Resource{ID: "security_group_rules/db", Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
		Group: blueprint.Ref(sg.ID), Inbound: []blueprint.RuleSpec{rule(3306), rule(33060)}}}
	got, err := d.Create(ctx, req(want))
	require.NoError(t, err, "the Duplicate of a repeat whose first call took effect is not an error")
	assert.Equal(t, base+2, lost.Load(), "the authorize and the revoke of the default egress rule")
	assert.Len(t, got.Resource.SecurityGroupRules.Inbound, 2)
	assert.Empty(t, got.Resource.SecurityGroupRules.Outbound, "the default egress rule is revoked")

	less := want.Clone()
	less.SecurityGroupRules.Inbound = less.SecurityGroupRules.Inbound[:1]
	upd, err := d.Update(ctx, req(less), got)
	require.NoError(t, err, "the repeat of a revoke whose first call took effect is not an error")
	assert.Equal(t, base+3, lost.Load())
	assert.Equal(t, less.SecurityGroupRules.Inbound, upd.Resource.SecurityGroupRules.Inbound)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range []string{"AuthorizeSecurityGroupIngress", "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress"} {
		assert.GreaterOrEqual(t, c.opAttempts[op], 2, "the user's retryer sent %s again", op)
	}
}

// TestConcurrentApplies runs two applies of the web app at once against
// one account, five times: one applies, the other fails at once with
// ErrLocked naming the holder, or, asked to wait, waits and then finds
// everything done (no write). Nothing is made twice; Destroy leaves
// nothing.
func TestConcurrentApplies(t *testing.T) {
	t.Parallel()
	for trial := range 5 {
		wait := trial == 4
		t.Run(fmt.Sprintf("trial=%d,wait=%v", trial, wait), func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			ctx := t.Context()
			bp := webApp("race")
			withCertificate(bp, requestCertificate(ctx, t, td, "race.example.com"))
			var (
				wg   sync.WaitGroup
				res  [2]*provider.Result
				errs [2]error
			)
			for i := range 2 {
				wg.Go(func() {
					res[i], errs[i] = engine(td.Driver).Apply(ctx, bp, func(o *provider.ApplyOptions) {
						if wait {
							o.Lock.Wait, o.Lock.Lease = 2*time.Minute, 5*time.Second // polls every second
						}
					})
				})
			}
			wg.Wait()
			var applied, locked, converged int
			for i := range 2 {
				switch {
				case errs[i] == nil && res[i].Created == len(bp.Resources):
					applied++
				case errs[i] == nil && res[i].WriteCalls == 0:
					converged++
				case errors.Is(errs[i], provider.ErrLocked):
					locked++
					assert.Contains(t, errs[i].Error(), "process", "the error names the holder")
				default:
					t.Errorf("run %d: %v (%v)", i, errs[i], res[i])
				}
			}
			assert.Equal(t, 1, applied, "exactly one run applies")
			if wait {
				assert.Equal(t, 1, converged, "the waiting run finds the work done")
			} else {
				assert.Equal(t, 1, locked, "the other run is refused")
				assert.Zero(t, converged)
			}
			assertOnce(t, td, bp)
			_, err := engine(td.Driver).Destroy(ctx, bp.Deployment, allowStateful(bp))
			require.NoError(t, err)
			assertAccountEmpty(t, td)
		})
	}
}

// TestDeploymentNamesRefusedBeforeAnyCall: a wildcard or an over-long
// deployment name reaches moto at no entry point, and Destroy("s*") next to
// the deployment "shop" leaves shop whole.
func TestDeploymentNamesRefusedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	shop := netBlueprint("shop")
	eng := engine(td.Driver)
	_, err := eng.Apply(ctx, shop)
	require.NoError(t, err)

	for _, name := range []string{"s*", "sh?p", `s\`, "shop,x", strings.Repeat("a", blueprint.MaxDeploymentLen+1), ""} {
		td.calls.reset()
		bad := netBlueprint("x")
		bad.Deployment = name
		_, err := eng.Destroy(ctx, name)
		require.ErrorIs(t, err, blueprint.ErrDeployment, "Destroy(%q)", name)
		_, err = eng.Apply(ctx, bad)
		require.ErrorIs(t, err, blueprint.ErrDeployment, "Apply(%q)", name)
		_, err = eng.Plan(ctx, bad)
		require.ErrorIs(t, err, blueprint.ErrDeployment, "Plan(%q)", name)
		_, err = eng.Drift(ctx, bad)
		require.ErrorIs(t, err, blueprint.ErrDeployment, "Drift(%q)", name)
		_, err = eng.Lock(ctx, name)
		require.ErrorIs(t, err, blueprint.ErrDeployment, "Lock(%q)", name)
		_, err = td.List(ctx, driver.Query{Deployment: name, Kind: blueprint.KindNet})
		require.ErrorIs(t, err, driver.ErrInvalid, "List(%q)", name)
		writes, reads, ops := td.calls.snapshot()
		assert.Zero(t, writes+reads, "%q: moto saw %v", name, ops)
	}
	nets, err := td.List(ctx, driver.Query{Deployment: "shop", Kind: blueprint.KindNet})
	require.NoError(t, err)
	assert.Len(t, nets, 1, "shop is whole")
	for _, near := range []string{"sho", "shop-2", "s"} {
		got, err := td.List(ctx, driver.Query{Deployment: near, Kind: blueprint.KindNet})
		require.NoError(t, err)
		assert.Empty(t, got, "List(%q) compares the tag exactly", near)
	}
}

// TestTagFiltersAreWildcards shows both ways what the name check guards
// against: moto, like EC2, reads '*' in a tag filter as a wildcard, so a
// raw filter "s*" finds the deployment "shop"; the driver's escaped filter
// finds nothing.
func TestTagFiltersAreWildcards(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	_, err := engine(td.Driver).Apply(ctx, netBlueprint("shop"))
	require.NoError(t, err)
	raw, err := td.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{"s*"}}}})
	require.NoError(t, err)
	assert.Len(t, raw.Vpcs, 1, "moto reads the filter as a wildcard, as EC2 does")
	for _, pattern := range []string{"s*", "sh?p", "*"} {
		got, err := aws.ListEscaped(ctx, td.Driver, driver.Query{Deployment: pattern, Kind: blueprint.KindNet})
		require.NoError(t, err)
		assert.Empty(t, got, "the driver escapes %q", pattern)
	}
}

// TestLongestDeploymentName applies the web app under a deployment name of
// blueprint.MaxDeploymentLen characters: every name derived from it
// (the lock's launch template, 128 characters; groups; the load balancer
// and its target group, hashed to 32; the RDS identifier, at most 63;
// the cluster's launch template and autoscaling group) is accepted, and
// Destroy leaves nothing.
func TestLongestDeploymentName(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	name := "l" + strings.Repeat("0123456789", blueprint.MaxDeploymentLen/10)
	name += strings.Repeat("x", blueprint.MaxDeploymentLen-len(name))
	require.Len(t, name, blueprint.MaxDeploymentLen)
	bp := webApp(name)
	withCertificate(bp, requestCertificate(ctx, t, td, "long.example.com"))
	eng := engine(td.Driver)
	lease, err := eng.Lock(ctx, name)
	require.NoError(t, err)
	lts, err := td.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{lease.Lock().ID}})
	require.NoError(t, err)
	require.Len(t, lts.LaunchTemplates, 1)
	assert.Len(t, awssdk.ToString(lts.LaunchTemplates[0].LaunchTemplateName), 128)
	_, err = eng.Apply(ctx, bp, func(o *provider.ApplyOptions) { o.Lease = lease })
	require.NoError(t, err)
	require.NoError(t, lease.Release(ctx))
	assertOnce(t, td, bp)
	dbs, err := td.List(ctx, driver.Query{Deployment: name, Kind: blueprint.KindDatabase})
	require.NoError(t, err)
	require.Len(t, dbs, 1)
	assert.LessOrEqual(t, len(dbs[0].ID), 63, "RDS identifiers hold 63")
	_, err = eng.Destroy(ctx, name, allowStateful(bp))
	require.NoError(t, err)
	assertAccountEmpty(t, td)
}

// TestLostAnswerVPNAndKeyPair loses the answer of every create of a VPN
// peer's gateway, customer gateway and connection, of a bastion's key
// pair and of the Net's flow log, once: the first three have no client
// token and moto ignores the flow log's, so a blind repeat by the SDK
// made a second gateway (seen in make test when moto dropped a connection
// under load) or failed (FlowLogAlreadyExists); the calls are sent once
// and the driver's next attempt finds what the lost one made. Each network
// ACL entry loses its answer too, and each attempt makes one more: 20
// attempts.
func TestLostAnswerVPNAndKeyPair(t *testing.T) {
	t.Parallel()
	mw, lost := loseAnswers(creates)
	td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, mw) })
	ctx := t.Context()
	a := vpnArch("lossyvpn", 65020)
	a.AddBastionHost("bastion", pattern.Bastion{Admins: netplan.Peer("office"), Image: "ami-12c6146b",
		PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs alice@laptop", Targets: []string{"app"}})
	bp, err := a.Build()
	require.NoError(t, err)
	require.NotEmpty(t, bp.OfKind(blueprint.KindKeyPair))
	eng := provider.NewEngine(td.Driver, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = 5*time.Millisecond, 20*time.Millisecond
		o.Retry = driver.RetryPolicy{MaxAttempts: 20, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
		o.WaitTimeout = 30 * time.Second
	})
	res, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	t.Logf("%s; %d answers lost", res, lost.Load())
	assertOnce(t, td, bp)
	_, err = eng.Destroy(ctx, bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
}

// TestLostAnswerInstanceRole loses the first answer of every IAM write of
// an instance role (the SDK then sends the call again): a second
// AddRoleToInstanceProfile is refused (LimitExceeded: a profile holds one
// role) and the driver finds the role in it already; one role and one
// profile are made.
func TestLostAnswerInstanceRole(t *testing.T) {
	t.Parallel()
	iamWrites := func(op string) bool {
		return slices.Contains([]string{"CreateRole", "PutRolePolicy", "CreateInstanceProfile", "AddRoleToInstanceProfile"}, op)
	}
	mw, lost := loseAnswers(iamWrites)
	td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, mw) })
	bp := grantedWebApp(t, "lossyrole", pattern.FlowLogs{Off: true})
	eng := engine(td.Driver)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Positive(t, lost.Load())
	assertOnce(t, td, bp)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, res.WriteCalls, "the role is complete: %s", res)
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
}

// motoThreeTier builds the three-tier on AWS's profile with moto's image.
func motoThreeTier(t *testing.T, name string) *blueprint.Blueprint {
	t.Helper()
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: name, Profile: netplan.AWS,
		WebImage: motoImage, AppImage: motoImage, DBImage: motoImage}).Build()
	require.NoError(t, err)
	return bp
}

// TestLostAnswerClusterDelete loses the first answer of every
// DeleteAutoScalingGroup: the SDK sends it again, and Auto Scaling answers
// that the group is not found (a ValidationError, its only "not found").
// The group is gone as asked: the destroy completes.
func TestLostAnswerClusterDelete(t *testing.T) {
	t.Parallel()
	mw, lost := loseAnswers(func(op string) bool { return op == "DeleteAutoScalingGroup" })
	td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, mw) })
	bp := motoThreeTier(t, "lossyasg")
	eng := engine(td.Driver)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err, "the groups' deletes were sent twice")
	assert.Positive(t, lost.Load())
	left, err := td.Driver.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	assert.Empty(t, left)
}

// TestLostAnswerNetworkACL loses the first answer of every network ACL
// entry delete and association move: the SDK sends the call again, which
// then names an entry or an association that is gone, and moto answers
// HTTP 500. The driver reads the ACL and finds the work done: the apply,
// the change that drops an entry and the destroy all complete.
func TestLostAnswerNetworkACL(t *testing.T) {
	t.Parallel()
	mw, lost := loseAnswers(func(op string) bool {
		return op == "DeleteNetworkAclEntry" || op == "ReplaceNetworkAclAssociation"
	})
	td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, mw) })
	bp := motoThreeTier(t, "lossyacl")
	eng := engine(td.Driver)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	var acl *blueprint.NetworkACLSpec
	for i := range bp.Resources {
		if a := bp.Resources[i].NetworkACL; a != nil && len(a.Inbound) > 1 {
			acl = a
			break
		}
	}
	require.NotNil(t, acl, "a network ACL with two inbound entries")
	acl.Inbound = acl.Inbound[:len(acl.Inbound)-1]
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err, "the entry's delete was sent twice")
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, res.WriteCalls, "converged: %s", res)
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err, "the subnets' moves back to the default ACL were sent twice")
	assert.Positive(t, lost.Load())
}
