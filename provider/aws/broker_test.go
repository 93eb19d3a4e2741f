package aws_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/providertest"
	"github.com/archkit/archkit/tier"
)

// brokerArchitecture is a web tier, an application tier and a RabbitMQ
// broker tier that only the application connects to, over two zones.
func brokerArchitecture(name string) *pattern.Architecture {
	a := pattern.New(name, "10.0.0.0/16").WithZones("a", "b")
	a.Profile = netplan.AWS
	web, app := tier.Web("web"), tier.App("app")
	bus := tier.Tier{Name: "bus", Role: tier.RoleQueue, Exposure: netplan.Isolated}
	a.AddTier(web, app, bus).Connect("app", "bus")
	a.AddCluster(tier.NewCluster("web", motoImage, "t3.micro"), tier.NewCluster("app", motoImage, "t3.micro"))
	b := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large")
	b.Version, b.MaintenanceWindow = "3.13", "Sun:03:00"
	return a.AddBroker(b)
}

// TestBrokerOnMoto applies an architecture with a RabbitMQ broker on moto:
// DescribeBroker shows it RABBITMQ, a cluster over the private subnets of
// its tier, not publicly accessible, in its security group, whose rules
// read back allow 5671 (and the console's 443) from the application tier's
// group only; the secret exists, tagged with the deployment, and the
// broker's user is the one it holds, created with its password, which is
// nowhere in the blueprint, the plan, the events or the logs; a re-apply
// writes nothing; a new instance type is one UpdateBroker; a destroy is
// refused without AllowDataLoss, and with it the broker and its secret are
// gone.
func TestBrokerOnMoto(t *testing.T) {
	t.Parallel()
	rec := &sent{}
	logs := &providertest.SyncBuffer{}
	td := newDriver(t, func(o *aws.Options) {
		o.APIOptions = append(o.APIOptions, rec.middleware("CreateBroker", "UpdateBroker"))
		o.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := t.Context()
	arch := brokerArchitecture("rabbit")
	bp, err := arch.Build()
	require.NoError(t, err)
	var events []provider.Event
	var evMu sync.Mutex
	eng := provider.NewEngine(td.Driver, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = 5e6, 20e6
		o.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.OnEvent = func(e provider.Event) { evMu.Lock(); events = append(events, e); evMu.Unlock() }
	})
	plan, err := eng.Plan(ctx, bp)
	require.NoError(t, err)
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)

	broker := observedOf(t, td, bp.Deployment, blueprint.KindBroker, "broker/bus")
	got, err := td.MQ.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: awssdk.String(broker.ID)})
	require.NoError(t, err)
	assert.Equal(t, mqtypes.EngineTypeRabbitmq, got.EngineType)
	assert.Equal(t, mqtypes.DeploymentModeClusterMultiAz, got.DeploymentMode)
	assert.False(t, awssdk.ToBool(got.PubliclyAccessible))
	assert.True(t, awssdk.ToBool(got.AutoMinorVersionUpgrade))
	assert.Equal(t, mqtypes.BrokerStateRunning, got.BrokerState)
	var subnets []string
	for _, z := range []string{"a", "b"} {
		subnets = append(subnets, observedOf(t, td, bp.Deployment, blueprint.KindSubnet, "subnet/bus/"+z).ID)
	}
	assert.ElementsMatch(t, subnets, got.SubnetIds, "in the bus tier's private subnets")
	busGroup := observedOf(t, td, bp.Deployment, blueprint.KindSecurityGroup, "security_group/bus")
	appGroup := observedOf(t, td, bp.Deployment, blueprint.KindSecurityGroup, "security_group/app")
	assert.Equal(t, []string{busGroup.ID}, got.SecurityGroups)
	assert.Equal(t, bp.Deployment, got.Tags[driver.TagDeployment], "tagged at creation")
	brokerRules(t, td, busGroup.ID, appGroup.ID)

	password := brokerSecret(t, td, broker, bp.Deployment, got, rec)
	for what, text := range map[string]string{"blueprint": jsonOf(t, bp), "plan": jsonOf(t, plan), "events": jsonOf(t, events), "logs": logs.String()} {
		assert.NotContains(t, text, password, "the password is in the %s", what)
	}

	td.calls.reset()
	res, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes, "re-apply wrote: %v", ops)
	assert.Zero(t, res.Created+res.Updated+res.Replaced+res.Deleted, "re-apply changed: %v", res.Changeset)

	brokerInPlace(t, td, eng, arch, rec)
	destroyBroker(t, td, eng, bp, broker)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// brokerRules checks that the broker's group admits 443 and 5671 from the
// application's group, and nothing else.
func brokerRules(t *testing.T, td *testDriver, group, app string) {
	t.Helper()
	g, err := td.EC2.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{group}})
	require.NoError(t, err)
	require.Len(t, g.SecurityGroups, 1)
	var ports []int32
	for _, p := range g.SecurityGroups[0].IpPermissions {
		assert.Empty(t, p.IpRanges, "no CIDR source")
		require.Len(t, p.UserIdGroupPairs, 1)
		assert.Equal(t, app, awssdk.ToString(p.UserIdGroupPairs[0].GroupId), "from the app tier's group only")
		assert.Equal(t, awssdk.ToInt32(p.FromPort), awssdk.ToInt32(p.ToPort))
		ports = append(ports, awssdk.ToInt32(p.FromPort))
	}
	assert.ElementsMatch(t, []int32{443, 5671}, ports)
}

// brokerSecret checks the broker's secret and returns its password: it
// exists, tagged with the deployment, holds the broker's user, and the
// CreateBroker request carried that user with that password.
func brokerSecret(t *testing.T, td *testDriver, broker driver.Observed, deployment string, got *mq.DescribeBrokerOutput, rec *sent) string {
	t.Helper()
	require.Len(t, broker.Parts[aws.PartSecret], 1, "the broker reports its secret")
	arn := broker.Parts[aws.PartSecret][0]
	desc, err := td.Secrets.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: awssdk.String(arn)})
	require.NoError(t, err)
	tagged := false
	for _, tg := range desc.Tags {
		tagged = tagged || awssdk.ToString(tg.Key) == driver.TagDeployment && awssdk.ToString(tg.Value) == deployment
	}
	assert.True(t, tagged, "the secret carries the deployment's tags: %v", desc.Tags)
	val, err := td.Secrets.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(arn)})
	require.NoError(t, err)
	var cred struct{ Username, Password string }
	require.NoError(t, json.Unmarshal([]byte(awssdk.ToString(val.SecretString)), &cred))
	assert.Equal(t, tier.DefaultBrokerUsername, cred.Username)
	assert.GreaterOrEqual(t, len(cred.Password), 12)
	require.Len(t, got.Users, 1)
	assert.Equal(t, cred.Username, awssdk.ToString(got.Users[0].Username), "the broker's user is the secret's")
	creates := rec.of("CreateBroker")
	require.Len(t, creates, 1)
	in := creates[0].(*mq.CreateBrokerInput)
	require.Len(t, in.Users, 1)
	assert.Equal(t, cred.Password, awssdk.ToString(in.Users[0].Password), "the broker was created with the secret's password")
	return cred.Password
}

// brokerInPlace moves the broker to a larger instance type: the plan is one
// in-place update, sent as one UpdateBroker of that field alone.
func brokerInPlace(t *testing.T, td *testDriver, eng *provider.Engine, arch *pattern.Architecture, rec *sent) {
	t.Helper()
	arch.Broker("bus").InstanceType = "mq.m7g.xlarge"
	bp, err := arch.Build()
	require.NoError(t, err)
	plan, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	var changes []string
	for _, c := range plan.Changes {
		if c.Action != provider.ActionNoop {
			changes = append(changes, c.ID+" "+string(c.Action))
		}
	}
	assert.Equal(t, []string{"broker/bus update"}, changes)
	td.calls.reset()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	writes, _, ops := td.calls.snapshot()
	assert.Equal(t, int64(1), writes-int64(ops["CreateLaunchTemplate"]+ops["DeleteLaunchTemplate"]), "one write but the lock: %v", ops)
	assert.Equal(t, 1, ops["UpdateBroker"])
	ups := rec.of("UpdateBroker")
	require.Len(t, ups, 1)
	u := ups[0].(*mq.UpdateBrokerInput)
	assert.Equal(t, "mq.m7g.xlarge", awssdk.ToString(u.HostInstanceType))
	assert.Nil(t, u.SecurityGroups, "nothing else changes")
	assert.Nil(t, u.EngineVersion, "nothing else changes")
	td.calls.reset()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	writes, _, ops = td.calls.snapshot()
	assert.Zero(t, writes, "converged: %v", ops)
}

// destroyBroker checks that a destroy is refused without AllowDataLoss,
// before any write, and that with it the broker and its secret go.
func destroyBroker(t *testing.T, td *testDriver, eng *provider.Engine, bp *blueprint.Blueprint, broker driver.Observed) {
	t.Helper()
	td.calls.reset()
	_, err := eng.Destroy(t.Context(), bp.Deployment)
	require.Error(t, err)
	assert.True(t, errors.Is(err, provider.ErrProtected), "%v", err)
	var pe *provider.ProtectedError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.IDs(), "broker/bus")
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes-int64(ops["CreateLaunchTemplate"]+ops["DeleteLaunchTemplate"]), "refused before any write but the lock: %v", ops)

	_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"broker/bus"} })
	require.NoError(t, err)
	_, err = td.MQ.DescribeBroker(t.Context(), &mq.DescribeBrokerInput{BrokerId: awssdk.String(broker.ID)})
	assert.Equal(t, driver.NotFound, aws.ErrorCode(err), "the broker is gone: %v", err)
	_, err = td.Secrets.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: awssdk.String(broker.Parts[aws.PartSecret][0])})
	assert.Equal(t, driver.NotFound, aws.ErrorCode(err), "the secret is gone: %v", err)
}

// TestBrokerAfterFailedCreate stops an apply between the two halves of a
// broker (its secret made, CreateBroker refused): the secret is listed as
// an incomplete broker; a second apply completes it with the password the
// secret holds, making no second secret; a destroy then leaves neither
// the broker nor a secret. A destroy right after the failure removes the
// lone secret too.
func TestBrokerAfterFailedCreate(t *testing.T) {
	t.Parallel()
	for _, then := range []string{"apply", "destroy"} {
		t.Run(then, func(t *testing.T) {
			t.Parallel()
			rec := &sent{}
			td := newDriver(t, func(o *aws.Options) {
				o.APIOptions = append(o.APIOptions, rec.middleware("CreateBroker", "CreateSecret"))
			})
			bp, err := brokerArchitecture("half-" + then).Build()
			require.NoError(t, err)
			eng := engine(td.Driver)
			td.calls.failOp = "CreateBroker"
			_, err = eng.Apply(t.Context(), bp)
			require.ErrorContains(t, err, "CreateBroker")
			td.calls.failOp = ""
			half := observedOf(t, td, bp.Deployment, blueprint.KindBroker, "broker/bus")
			assert.True(t, half.Incomplete, "the secret alone is an incomplete broker: %+v", half)
			secret := half.Parts[aws.PartSecret]
			require.Len(t, secret, 1)

			if then == "apply" {
				_, err = eng.Apply(t.Context(), bp)
				require.NoError(t, err)
				broker := observedOf(t, td, bp.Deployment, blueprint.KindBroker, "broker/bus")
				assert.False(t, broker.Incomplete)
				assert.Equal(t, secret, broker.Parts[aws.PartSecret], "the same secret")
				assert.Len(t, rec.of("CreateSecret"), 1, "no second secret")
				creates := rec.of("CreateBroker") // the refused one failed before the recorder
				require.Len(t, creates, 1)
				val, err := td.Secrets.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: awssdk.String(secret[0])})
				require.NoError(t, err)
				var cred struct{ Password string }
				require.NoError(t, json.Unmarshal([]byte(awssdk.ToString(val.SecretString)), &cred))
				assert.Equal(t, cred.Password, awssdk.ToString(creates[0].(*mq.CreateBrokerInput).Users[0].Password), "the password the secret holds")
			}
			_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"broker/bus"} })
			require.NoError(t, err)
			brokers, err := td.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindBroker})
			require.NoError(t, err)
			assert.Empty(t, brokers)
			_, err = td.Secrets.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: awssdk.String(secret[0])})
			assert.Equal(t, driver.NotFound, aws.ErrorCode(err), "no secret left: %v", err)
		})
	}
}

// TestBrokerAnswersLost loses the answer of CreateSecret, then of
// CreateBroker, after the server did them: the SDK sends neither again
// (moto ignores their tokens), and the engine's retry finds what the lost
// calls made: one secret, one broker.
func TestBrokerAnswersLost(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"CreateSecret", "CreateBroker"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, loseFirstAnswer(op)) })
			bp, err := brokerArchitecture("lost-" + strings.ToLower(op)).Build()
			require.NoError(t, err)
			eng := engine(td.Driver)
			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			_, _, ops := td.calls.snapshot()
			assert.Equal(t, 1, ops[op], "sent once: %v", ops)
			brokers, err := td.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindBroker})
			require.NoError(t, err)
			require.Len(t, brokers, 1, "one broker")
			assert.False(t, brokers[0].Incomplete)
			all, err := td.MQ.ListBrokers(t.Context(), &mq.ListBrokersInput{})
			require.NoError(t, err)
			named := 0
			for _, b := range all.BrokerSummaries {
				if strings.HasPrefix(awssdk.ToString(b.BrokerName), bp.Deployment+"-") {
					named++
				}
			}
			assert.Equal(t, 1, named, "no second broker of the deployment")
			_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"broker/bus"} })
			require.NoError(t, err)
		})
	}
}

// TestBrokerWindowOnMoto: a broker declared without a maintenance window
// gets Amazon MQ's (moto: Sunday 00:00), which is no difference: a
// re-apply writes nothing; a window asked later is one UpdateBroker, then
// converged.
func TestBrokerWindowOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	arch := brokerArchitecture("window")
	arch.Broker("bus").MaintenanceWindow = ""
	bp, err := arch.Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	reapply := func(what string) {
		td.calls.reset()
		_, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		writes, _, ops := td.calls.snapshot()
		assert.Zero(t, writes, "%s: re-apply wrote: %v", what, ops)
	}
	reapply("the cloud's window")

	arch.Broker("bus").MaintenanceWindow = "Wed:02:30"
	bp, err = arch.Build()
	require.NoError(t, err)
	td.calls.reset()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	_, _, ops := td.calls.snapshot()
	assert.Equal(t, 1, ops["UpdateBroker"], "%v", ops)
	broker := observedOf(t, td, bp.Deployment, blueprint.KindBroker, "broker/bus")
	got, err := td.MQ.DescribeBroker(t.Context(), &mq.DescribeBrokerInput{BrokerId: awssdk.String(broker.ID)})
	require.NoError(t, err)
	require.NotNil(t, got.MaintenanceWindowStartTime)
	assert.Equal(t, "02:30", awssdk.ToString(got.MaintenanceWindowStartTime.TimeOfDay))
	assert.Equal(t, "Wed:02:30", broker.Resource.Broker.MaintenanceWindow)
	reapply("the window asked")
	_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"broker/bus"} })
	require.NoError(t, err)
}

// TestBrokerSecretGrantOnMoto: the application's cluster is granted its
// broker's secret (tier.BrokerSecret). The role's policy, read back with
// the IAM API on moto, allows exactly one (action, resource) pair:
// secretsmanager:GetSecretValue on the ARN of the secret the driver made
// for the broker (its Parts["secret"]); the role reads back as declared,
// so a re-apply writes nothing. A role that gains the grant in place
// (Update) reads back with it too. The destroy leaves no role.
func TestBrokerSecretGrantOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	arch := brokerArchitecture("grantbus")
	arch.Cluster("app").Grants = []tier.Grant{tier.BrokerSecret("bus")}
	bp, err := arch.Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)

	broker := observedOf(t, td, bp.Deployment, blueprint.KindBroker, "broker/bus")
	require.Len(t, broker.Parts[aws.PartSecret], 1)
	secret := broker.Parts[aws.PartSecret][0]
	desc, err := td.Secrets.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: awssdk.String(secret)})
	require.NoError(t, err, "the broker's secret exists")
	assert.Equal(t, secret, awssdk.ToString(desc.ARN))
	role, ok := bp.Resource("instance_role/app")
	require.True(t, ok)
	pol, err := td.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: awssdk.String(role.InstanceRole.Name), PolicyName: awssdk.String(blueprint.RolePolicyName)})
	require.NoError(t, err)
	assert.Equal(t, map[[2]string]bool{{"secretsmanager:GetSecretValue", secret}: true}, permissions(t, awssdk.ToString(pol.PolicyDocument)),
		"exactly this action on exactly this secret")
	got := observedOf(t, td, bp.Deployment, blueprint.KindInstanceRole, "instance_role/app")
	assert.Equal(t, []blueprint.PolicyStatement{{Sid: "BrokerSecretBus", Actions: []string{"secretsmanager:GetSecretValue"},
		BrokerSecret: blueprint.Ref(broker.ID)}}, got.Resource.InstanceRole.Statements, "the secret's ARN read back as its broker")

	td.calls.reset()
	again, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "re-apply makes no write: %s", again)

	// A role that gains the grant in place.
	extra := blueprint.Resource{ID: "instance_role/extra", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: blueprint.IAMName(bp.Deployment, "instance_role/extra"), Statements: blueprint.FromTier(tier.Statements([]tier.Grant{tier.ConsumeQueue("orders")}))}}
	cur, err := td.Create(ctx, providertest.Request(bp.Deployment, extra, nil))
	require.NoError(t, err)
	extra.InstanceRole.Statements = blueprint.FromTier(tier.Statements([]tier.Grant{tier.BrokerSecret("bus")}))
	_, err = td.Update(ctx, providertest.Request(bp.Deployment, extra, map[string]string{"broker/bus": broker.ID}), cur)
	require.NoError(t, err)
	read, err := td.Read(ctx, blueprint.KindInstanceRole, cur.ID)
	require.NoError(t, err)
	assert.Equal(t, []blueprint.PolicyStatement{{Sid: "BrokerSecretBus", Actions: []string{"secretsmanager:GetSecretValue"},
		BrokerSecret: blueprint.Ref(broker.ID)}}, read.Resource.InstanceRole.Statements, "updated in place, read back as its broker")
	require.NoError(t, td.Delete(ctx, read, driver.DeleteOptions{}))

	_, err = eng.Destroy(ctx, bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"broker/bus"} })
	require.NoError(t, err)
	_, err = td.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(role.InstanceRole.Name)})
	assert.True(t, isNotFound(err), "role deleted: %v", err)
}
