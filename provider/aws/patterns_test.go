package aws_test

import (
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
)

// motoImage is an AMI that moto's us-east-1 knows.
const motoImage = "ami-12c6146b"

// TestPatternsEndToEnd applies the seed patterns built by package pattern
// (seed 003 web app, seed 000 three-tier) through the engine on moto,
// checks them with the boto3 witness, applies again without a write call,
// and destroys them without leaving anything tagged.
func TestPatternsEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		arch  func(cert string) *pattern.Architecture
		check func(t *testing.T, w witness)
		// scaling: the pattern's app cluster has the default policy.
		scaling bool
	}{
		{"seed003-webapp", func(cert string) *pattern.Architecture {
			return pattern.WebApp(pattern.WebAppOptions{Name: "tipster", Profile: netplan.AWS, Image: motoImage, Certificate: cert,
				UserData: "#cloud-config\nruncmd: [systemctl start tomcat]\n"})
		}, func(t *testing.T, w witness) {
			assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, w.SubnetZones)
			assert.Positive(t, w.DefaultRoutes["igw"])
			assert.Positive(t, w.DefaultRoutes["nat"])
			assert.Positive(t, w.NATs)
			assert.Positive(t, w.GroupRules)
			require.Len(t, w.LBs, 1)
			assert.Contains(t, w.LBs[0].Listeners, "HTTPS:443")
			require.NotEmpty(t, w.ASGs)
			assert.Positive(t, w.ASGs[0].Instances)
			require.Len(t, w.DBs, 1)
			assert.False(t, w.DBs[0].Public)
			assert.Len(t, w.DBs[0].SubnetGroupZones, 2)
		}, true},
		{"seed000-threetier", func(string) *pattern.Architecture {
			return pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS,
				WebImage: motoImage, AppImage: motoImage, DBImage: motoImage})
		}, func(t *testing.T, w witness) {
			assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, w.SubnetZones)
			assert.Positive(t, w.GroupRules)
			assert.NotEmpty(t, w.ASGs)
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			bp, err := tc.arch(requestCertificate(t.Context(), t, td, "tipster.example.com")).Build()
			require.NoError(t, err)
			eng := engine(td.Driver)

			res, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			writes, reads, _ := td.calls.snapshot()
			t.Logf("apply: %s; %d resources; AWS API calls %d writes %d reads", res, len(bp.Resources), writes, reads)
			tc.check(t, readWitness(t, td, bp.Deployment))

			td.calls.reset()
			res, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			writes, reads, ops := td.calls.snapshot()
			t.Logf("re-apply: %s; AWS API calls %d writes %d reads", res, writes, reads)
			assert.Zero(t, writes, "re-apply wrote: %v", ops)
			assert.Zero(t, res.Created+res.Updated+res.Replaced+res.Deleted, "re-apply changed: %v", res.Changeset)
			if tc.scaling {
				changeScaling(t, td, eng, bp)
			}

			res, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
			require.NoError(t, err)
			t.Logf("destroy: %s", res)
			for _, k := range blueprint.Kinds {
				left, err := td.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: k})
				require.NoError(t, err)
				assert.Empty(t, left, "kind %s", k)
			}
			w := readWitness(t, td, bp.Deployment)
			assert.Empty(t, w.EC2Tagged)
			assert.Empty(t, w.LBs)
			assert.Empty(t, w.DBs)
			assert.Zero(t, w.LaunchTemplates+w.TargetGroups+w.DBSubnetGroups)
		})
	}
}

// cpuPolicies reads the scaling policies of the deployment's autoscaling
// groups straight through the SDK: group name -> policies.
func cpuPolicies(t *testing.T, td *testDriver, deployment string) map[string][]astypes.ScalingPolicy {
	t.Helper()
	clusters, err := td.List(t.Context(), driver.Query{Deployment: deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	out := map[string][]astypes.ScalingPolicy{}
	for _, c := range clusters {
		p, err := td.AutoScaling.DescribePolicies(t.Context(), &autoscaling.DescribePoliciesInput{AutoScalingGroupName: awssdk.String(c.ID)})
		require.NoError(t, err)
		out[c.ID] = p.ScalingPolicies
	}
	return out
}

// assertCPUPolicy checks that the deployment's only group has one
// target-tracking policy on average CPU with target and warmup.
func assertCPUPolicy(t *testing.T, td *testDriver, deployment string, target float64, warmup int32) {
	t.Helper()
	ps := cpuPolicies(t, td, deployment)
	require.Len(t, ps, 1)
	for group, policies := range ps {
		require.Len(t, policies, 1, group)
		p := policies[0]
		assert.Equal(t, "TargetTrackingScaling", awssdk.ToString(p.PolicyType))
		require.NotNil(t, p.TargetTrackingConfiguration)
		require.NotNil(t, p.TargetTrackingConfiguration.PredefinedMetricSpecification)
		assert.Equal(t, astypes.MetricTypeASGAverageCPUUtilization, p.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType)
		assert.InDelta(t, target, awssdk.ToFloat64(p.TargetTrackingConfiguration.TargetValue), 0.001)
		assert.Equal(t, warmup, awssdk.ToInt32(p.EstimatedInstanceWarmup))
	}
}

// changeScaling checks the policy the apply put on the group, changes its
// target, and checks that the plan is one in-place update, that the apply
// puts the new target, and that a re-apply writes nothing.
func changeScaling(t *testing.T, td *testDriver, eng *provider.Engine, bp *blueprint.Blueprint) {
	t.Helper()
	ctx := t.Context()
	assertCPUPolicy(t, td, bp.Deployment, 60, 300)

	next := *bp
	next.Resources = make([]blueprint.Resource, len(bp.Resources))
	for i, r := range bp.Resources {
		next.Resources[i] = r.Clone()
		if c := next.Resources[i].Cluster; c != nil && c.Scaling != nil {
			c.Scaling.TargetCPUPercent = 75
		}
	}
	cs, err := eng.Plan(ctx, &next)
	require.NoError(t, err)
	assert.Equal(t, map[provider.Action]int{provider.ActionUpdate: 1, provider.ActionNoop: len(bp.Resources) - 1}, cs.Counts())
	ch, ok := cs.Change("cluster/app")
	require.True(t, ok)
	require.Len(t, ch.Diffs, 1)
	assert.Equal(t, "scaling.target_cpu_percent: 60 -> 75", ch.Diffs[0].String())

	td.calls.reset()
	res, err := eng.Apply(ctx, &next)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Updated)
	_, _, ops := td.calls.snapshot()
	assert.Equal(t, 1, ops["PutScalingPolicy"], "%v", ops)
	assertCPUPolicy(t, td, bp.Deployment, 75, 300)

	td.calls.reset()
	res, err = eng.Apply(ctx, &next)
	require.NoError(t, err)
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes, "re-apply after the change wrote: %v", ops)
	assert.Zero(t, res.Updated)

	// Without a policy the apply deletes it, and the group stays at Desired.
	for i := range next.Resources {
		if c := next.Resources[i].Cluster; c != nil {
			c.Scaling = nil
		}
	}
	td.calls.reset()
	res, err = eng.Apply(ctx, &next)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Updated)
	_, _, ops = td.calls.snapshot()
	assert.Equal(t, 1, ops["DeletePolicy"], "%v", ops)
	for group, ps := range cpuPolicies(t, td, bp.Deployment) {
		assert.Empty(t, ps, group)
	}
	cs, err = eng.Plan(ctx, &next)
	require.NoError(t, err)
	assert.False(t, cs.HasChanges(), "%s", cs)
}

// TestScalingPolicyFailureConverges fails every PutScalingPolicy of a first
// apply, after the autoscaling group was made: the next apply puts the
// policy on the existing group, and the one after writes nothing.
func TestScalingPolicyFailureConverges(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	bp := webApp("policyfail")
	withCertificate(bp, requestCertificate(t.Context(), t, td, "policyfail.example.com"))
	for i := range bp.Resources {
		if c := bp.Resources[i].Cluster; c != nil {
			c.Scaling = &blueprint.ScalingSpec{TargetCPUPercent: 55}
		}
	}
	eng := engine(td.Driver)
	td.calls.failOp = "PutScalingPolicy"
	_, err := eng.Apply(t.Context(), bp)
	require.ErrorContains(t, err, "PutScalingPolicy")
	td.calls.failOp = ""

	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assertOnce(t, td, bp)
	assertCPUPolicy(t, td, bp.Deployment, 55, 0)

	td.calls.reset()
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes, "third apply wrote: %v", ops)
	assert.Equal(t, len(bp.Resources), res.Unchanged)
}
