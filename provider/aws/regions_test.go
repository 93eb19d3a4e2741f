package aws_test

import (
	"context"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go/middleware"
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

// The regions of the tests over several regions: moto keeps a separate
// backend per region, as AWS does.
const (
	primaryRegion  = "us-east-1"
	recoveryRegion = "us-west-2"
)

// regionDrivers returns one driver per region on moto, all in one fresh
// account, each with its own call counter.
func regionDrivers(t *testing.T, regions ...string) map[string]*testDriver {
	t.Helper()
	return regionDriversWith(t, nil, regions...)
}

// regionDriversWith is regionDrivers with more API options per region (a
// fault injected).
func regionDriversWith(t *testing.T, more map[string][]func(*middleware.Stack) error, regions ...string) map[string]*testDriver {
	t.Helper()
	ep := mototest.Endpoint(t)
	account := mototest.Account()
	out := map[string]*testDriver{}
	for _, r := range regions {
		c := &calls{}
		gaps := mototest.NewBackupGaps()
		cfg := mototest.Config()
		cfg.HTTPClient = gaps.Client()
		d, err := aws.NewFromConfig(cfg, func(o *aws.Options) {
			o.Region = r
			o.BaseEndpoint = ep
			o.RetryMaxAttempts = 3
			o.RetryMaxBackoff = 5 * time.Millisecond
			o.WaitTimeout = 20 * time.Second
			o.PollInterval = 5 * time.Millisecond
			o.APIOptions = append(append([]func(*middleware.Stack) error{mototest.WithAccount(account)}, c.apiOptions()...), more[r]...)
		})
		require.NoError(t, err)
		out[r] = &testDriver{Driver: d, account: account, endpoint: ep, calls: c, gaps: gaps}
	}
	return out
}

// motoFleet is a Fleet over tds, with the engine options of the tests.
func motoFleet(t *testing.T, tds map[string]*testDriver) *provider.Fleet {
	t.Helper()
	drivers := map[string]driver.Driver{}
	for r, td := range tds {
		drivers[r] = td.Driver
	}
	f, err := provider.NewFleet(drivers, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = 5*time.Millisecond, 20*time.Millisecond
		o.Retry = driver.RetryPolicy{MaxAttempts: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}
		o.WaitTimeout = 30 * time.Second
		o.DependencyRetries = 2
	})
	require.NoError(t, err)
	return f
}

// twoRegionWebApp is the AWS migration document's web app in a primary
// region and a warm-standby recovery region.
//
// Its recovery region's database is a database of its own, not a
// cross-region read replica of the primary's (NoDatabaseReplicas): moto
// 5.2.1 makes a cross-region replica as a copy of its source, region
// included, and looks the replica's DB subnet group up in the source's
// region, where it is not (TestCrossRegionReplicaMotoGap).
func twoRegionWebApp(name string) *pattern.MultiRegion {
	m := pattern.Regions(name, "10.0.0.0/8", func(string) *pattern.Architecture {
		return pattern.WebApp(pattern.WebAppOptions{Name: name, Profile: netplan.AWS, Image: motoImage})
	}).Primary(primaryRegion).Recovery(recoveryRegion, pattern.WarmStandby)
	m.NoDatabaseReplicas = true
	return m
}

// TestCrossRegionReplicaMotoGap applies the web app with its recovery
// region's database a cross-region read replica of the primary's: the
// driver finds the primary's database in its region by the deployment's
// tags and sends CreateDBInstanceReadReplica in the recovery region with
// the source's ARN, SourceRegion (the SDK signs the presigned URL), the
// replica's own DB subnet group in the recovery region and deletion
// protection. moto 5.2.1 refuses it (DBSubnetGroupNotFoundFault): it
// looks the group up in the source's region. The test fails once moto
// serves it: then the moto gap is closed, and TestFleetWebAppTwoRegions
// can drop NoDatabaseReplicas. The rest of the deployment is destroyed.
func TestCrossRegionReplicaMotoGap(t *testing.T) {
	t.Parallel()
	tds := regionDrivers(t, primaryRegion, recoveryRegion)
	var sent []*rds.CreateDBInstanceReadReplicaInput
	var mu sync.Mutex
	capture := func(s *middleware.Stack) error {
		return s.Serialize.Add(middleware.SerializeMiddlewareFunc("captureReplica", func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
			if p, ok := in.Parameters.(*rds.CreateDBInstanceReadReplicaInput); ok {
				mu.Lock()
				c := *p
				sent = append(sent, &c)
				mu.Unlock()
			}
			return next.HandleSerialize(ctx, in)
		}), middleware.Before)
	}
	rec := tds[recoveryRegion]
	d, err := aws.NewFromConfig(mototest.Config(), func(o *aws.Options) {
		o.Region, o.BaseEndpoint, o.RetryMaxAttempts = recoveryRegion, rec.endpoint, 1
		o.WaitTimeout, o.PollInterval = 20*time.Second, 5*time.Millisecond
		o.APIOptions = []func(*middleware.Stack) error{mototest.WithAccount(rec.account), capture}
	})
	require.NoError(t, err)
	tds[recoveryRegion] = &testDriver{Driver: d, account: rec.account, endpoint: rec.endpoint, calls: rec.calls}
	fl := motoFleet(t, tds)
	m := twoRegionWebApp("xreplica")
	m.NoDatabaseReplicas = false
	bps, err := m.Build()
	require.NoError(t, err)
	db, ok := bps[recoveryRegion].Resource("database/db")
	require.True(t, ok)
	require.Equal(t, &blueprint.DatabaseSource{Region: primaryRegion, Database: "database/db"}, db.Database.ReplicaOf)

	_, err = fl.Apply(t.Context(), m)
	require.ErrorContains(t, err, "DBSubnetGroupNotFoundFault", "the moto gap is closed: strike it")
	src, err := tds[primaryRegion].List(t.Context(), driver.Query{Deployment: "xreplica", Kind: blueprint.KindDatabase})
	require.NoError(t, err)
	require.Len(t, src, 1)
	out, err := tds[primaryRegion].RDS.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(src[0].ID)})
	require.NoError(t, err)
	mu.Lock()
	require.NotEmpty(t, sent)
	in := sent[len(sent)-1]
	mu.Unlock()
	assert.Equal(t, awssdk.ToString(out.DBInstances[0].DBInstanceArn), awssdk.ToString(in.SourceDBInstanceIdentifier), "the source's ARN")
	assert.Contains(t, awssdk.ToString(in.SourceDBInstanceIdentifier), ":"+primaryRegion+":")
	assert.Equal(t, primaryRegion, awssdk.ToString(in.SourceRegion))
	assert.NotEmpty(t, awssdk.ToString(in.PreSignedUrl), "the SDK signs the URL from SourceRegion")
	assert.Equal(t, awssdk.ToString(in.DBInstanceIdentifier), awssdk.ToString(in.DBSubnetGroupName), "its own DB subnet group")
	assert.True(t, awssdk.ToBool(in.DeletionProtection))
	assert.False(t, awssdk.ToBool(in.PubliclyAccessible))
	groups, err := tds[recoveryRegion].RDS.DescribeDBSubnetGroups(t.Context(), &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: in.DBSubnetGroupName})
	require.NoError(t, err, "the group is in the recovery region")
	require.Len(t, groups.DBSubnetGroups, 1)

	_, err = fl.Destroy(t.Context(), "xreplica", allowStateful(bps[primaryRegion]))
	require.NoError(t, err)
	for r, td := range tds {
		assert.Empty(t, leftovers(t, td, "xreplica"), "left in %s", r)
	}
}

// leftovers lists, kind by kind, what remains of deployment on td.
func leftovers(t *testing.T, td *testDriver, deployment string) map[blueprint.Kind]int {
	t.Helper()
	out := map[blueprint.Kind]int{}
	for _, k := range blueprint.Kinds {
		obs, err := td.List(t.Context(), driver.Query{Deployment: deployment, Kind: k})
		require.NoError(t, err)
		if len(obs) > 0 {
			out[k] = len(obs)
		}
	}
	return out
}

// TestFleetWebAppTwoRegions applies the web app over two regions of moto,
// applies it again with no write, runs the failover drill, and destroys
// it with nothing left in either region.
func TestFleetWebAppTwoRegions(t *testing.T) {
	t.Parallel()
	tds := regionDrivers(t, primaryRegion, recoveryRegion)
	fl := motoFleet(t, tds)
	m := twoRegionWebApp("tworegions")
	bps, err := m.Build()
	require.NoError(t, err)

	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	for _, r := range m.Regions() {
		writes, reads, _ := tds[r].calls.snapshot()
		t.Logf("apply %s: %s; %d resources; AWS API calls %d writes %d reads", r, res.Region(r), len(bps[r].Resources), writes, reads)
		// The copy of the database's fallback image is dropped: RDS runs
		// the database.
		assert.Equal(t, len(bps[r].Resources)-len(bps[r].OfKind(blueprint.KindImageCopy))+len(usedCopies(bps[r])), res.Region(r).Created, r)
	}
	t.Logf("apply makespan over both regions: %s", res.Makespan)
	nets := map[string]string{}
	for r, td := range tds {
		obs, err := td.List(t.Context(), driver.Query{Deployment: "tworegions", Kind: blueprint.KindNet})
		require.NoError(t, err)
		require.Len(t, obs, 1, r)
		nets[r] = obs[0].Resource.Net.CIDR.String()
	}
	assert.Equal(t, map[string]string{primaryRegion: "10.0.0.0/16", recoveryRegion: "10.1.0.0/16"}, nets)
	standby, err := tds[recoveryRegion].List(t.Context(), driver.Query{Deployment: "tworegions", Kind: blueprint.KindCluster})
	require.NoError(t, err)
	require.Len(t, standby, 1)
	assert.Equal(t, 1, standby[0].Resource.Cluster.Desired, "warm standby")
	checkImageCopy(t, tds[recoveryRegion], "tworegions", standby[0])

	for _, td := range tds {
		td.calls.reset()
	}
	res, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	for r, td := range tds {
		writes, reads, ops := td.calls.snapshot()
		t.Logf("re-apply %s: AWS API calls %d writes %d reads", r, writes, reads)
		assert.Zero(t, writes, "re-apply wrote in %s: %v", r, ops)
	}
	total := res.Total()
	assert.Zero(t, total.Created+total.Updated+total.Replaced+total.Deleted)

	failoverDrill(t, tds, fl, m, bps)

	res, err = fl.Destroy(t.Context(), "tworegions", allowStateful(bps[primaryRegion]))
	require.NoError(t, err)
	t.Logf("destroy: makespan %s\n%s", res.Makespan, res)
	for r, td := range tds {
		assert.Empty(t, leftovers(t, td, "tworegions"), "left in %s", r)
	}
}

// failoverDrill deletes the primary region's resources out of band
// (another program's Destroy, straight on the primary's driver): the
// recovery region is untouched and still routes the internet to its load
// balancer, and the Fleet's plan rebuilds the primary with creates only,
// which its Apply does. It shares the deployment of
// TestFleetWebAppTwoRegions: one apply over two regions of moto is the
// costliest step of the package.
func failoverDrill(t *testing.T, tds map[string]*testDriver, fl *provider.Fleet, m *pattern.MultiRegion, bps map[string]*blueprint.Blueprint) {
	t.Helper()
	dep := m.DeploymentName()
	_, err := engine(tds[primaryRegion].Driver).Destroy(t.Context(), dep, allowStateful(bps[primaryRegion]))
	require.NoError(t, err)
	require.Empty(t, leftovers(t, tds[primaryRegion], dep))

	// What is deployed in the recovery region still answers: its subnets
	// route to the internet gateway, its balancer's group admits the
	// internet, the app's group admits the balancer.
	net, ok := bps[recoveryRegion].Resource("net/" + recoveryRegion)
	require.True(t, ok)
	a, err := m.Architecture(recoveryRegion, net.Net.CIDR)
	require.NoError(t, err)
	rules, err := a.Rules()
	require.NoError(t, err)
	v := rules.CanReach(netplan.Query{From: netplan.Internet(), To: "app-lb", Protocol: netplan.ProtocolTCP, Port: 80})
	assert.True(t, v.Allowed, v.String())
	drift, err := fl.Drift(t.Context(), m)
	require.NoError(t, err)
	assert.False(t, drift[recoveryRegion].HasDrift(), "the recovery region is as derived: %s", drift[recoveryRegion])

	plan, err := fl.Plan(t.Context(), m)
	require.NoError(t, err)
	assert.False(t, plan.Region(recoveryRegion).HasChanges())
	assert.Equal(t, map[provider.Action]int{provider.ActionCreate: len(bps[primaryRegion].Resources)}, plan.Region(primaryRegion).Counts())

	tds[recoveryRegion].calls.reset()
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Equal(t, len(bps[primaryRegion].Resources), res.Region(primaryRegion).Created)
	writes, _, ops := tds[recoveryRegion].calls.snapshot()
	lockOps := ops["CreateLaunchTemplate"] + ops["DeleteLaunchTemplate"] + ops["CreateTags"]
	assert.Equal(t, int64(lockOps), writes, "the recovery region's only writes are its lock's: %v", ops)
}

// TestFleetRefusesDriverOfAnotherRegion: a driver given under another
// region's name would apply that region's Net in the wrong place.
func TestFleetRefusesDriverOfAnotherRegion(t *testing.T) {
	t.Parallel()
	tds := regionDrivers(t, primaryRegion)
	_, err := provider.NewFleet(map[string]driver.Driver{recoveryRegion: tds[primaryRegion].Driver})
	require.ErrorContains(t, err, `the driver is one of region "us-east-1"`)
}

// usedCopies returns the image copies of bp that a cluster starts from.
func usedCopies(bp *blueprint.Blueprint) map[blueprint.Ref]bool {
	out := map[blueprint.Ref]bool{}
	for _, c := range bp.OfKind(blueprint.KindCluster) {
		if c.Cluster.ImageCopy != "" {
			out[c.Cluster.ImageCopy] = true
		}
	}
	return out
}

// checkImageCopy checks, in the recovery region, the copy of the primary's
// image: DescribeImages shows it available, made from the primary's image,
// and the cluster's launch template starts the nodes from it.
func checkImageCopy(t *testing.T, td *testDriver, deployment string, cluster driver.Observed) {
	t.Helper()
	copies, err := td.List(t.Context(), driver.Query{Deployment: deployment, Kind: blueprint.KindImageCopy})
	require.NoError(t, err)
	require.Len(t, copies, 1, "one copy: the app's image")
	cp := copies[0]
	assert.Equal(t, blueprint.ImageCopySpec{SourceImage: motoImage, SourceRegion: primaryRegion,
		Name: blueprint.ImageCopyName(deployment, motoImage, primaryRegion)}, *cp.Resource.ImageCopy)
	out, err := td.EC2.DescribeImages(t.Context(), &ec2.DescribeImagesInput{ImageIds: []string{cp.ID}})
	require.NoError(t, err)
	require.Len(t, out.Images, 1)
	assert.Equal(t, ec2types.ImageStateAvailable, out.Images[0].State)
	assert.NotEqual(t, motoImage, cp.ID)
	assert.Equal(t, cp.ID, cluster.Resource.Cluster.Image, "the recovery cluster's launch template starts its nodes from the copy")
}

// TestFleetRefusesVPNLink: on AWS two regions' VPCs are linked by VPC
// peering (Link); a link over a VPN (LinkVPN, for clouds without
// inter-region peering) is refused by the preflight in both regions,
// naming Link, before any write.
func TestFleetRefusesVPNLink(t *testing.T) {
	t.Parallel()
	tds := regionDrivers(t, primaryRegion, recoveryRegion)
	m := twoRegionWebApp("vpnlink").LinkVPN(primaryRegion, recoveryRegion, pattern.VPNLinkOptions{Image: motoImage, VMType: "t3.micro"}).
		Flow("app@" + primaryRegion + " -> db@" + recoveryRegion + " tcp/3306")
	_, err := motoFleet(t, tds).Apply(t.Context(), m)
	require.Error(t, err)
	assert.ErrorContains(t, err, "customer_gateway.peer_public_ip")
	assert.ErrorContains(t, err, "pattern.MultiRegion.Link")
	assert.ErrorContains(t, err, "vpn_appliance")
	for r, td := range tds {
		writes, _, ops := td.calls.snapshot()
		assert.Zero(t, writes, "written in %s: %v", r, ops)
	}
}
