package aws_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws/internal/mototest"
	"github.com/archkit/archkit/provider/driver"
)

// engine returns an engine on d tuned for moto: no rate limit, short
// polls and backoffs.
func engine(d driver.Driver) *provider.Engine {
	return provider.NewEngine(d, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = 5*time.Millisecond, 20*time.Millisecond
		o.Retry = driver.RetryPolicy{MaxAttempts: 3, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}
		o.WaitTimeout = 30 * time.Second
		o.DependencyRetries = 2
	})
}

// witness is what testdata/witness.py reads back with boto3.
type witness struct {
	VPCs          []string       `json:"vpcs"`
	SubnetZones   []string       `json:"subnet_zones"`
	Subnets       int            `json:"subnets"`
	PublicSubnets int            `json:"public_subnets"`
	DefaultRoutes map[string]int `json:"default_routes"`
	IGWs          int            `json:"internet_gateways"`
	NATs          int            `json:"nat_gateways"`
	EIPs          int            `json:"elastic_ips"`
	GroupRules    int            `json:"group_to_group_rules"`
	ACLs          []struct {
		Associations int `json:"associations"`
		DenyEntries  int `json:"deny_entries"`
	} `json:"network_acls"`
	LBs []struct {
		Type        string   `json:"type"`
		Scheme      string   `json:"scheme"`
		Zones       []string `json:"zones"`
		Listeners   []string `json:"listeners"`
		HealthCheck []string `json:"health_check"`
	} `json:"load_balancers"`
	ASGs []struct {
		Desired      int `json:"desired"`
		Instances    int `json:"instances"`
		TargetGroups int `json:"target_groups"`
		Subnets      int `json:"subnets"`
	} `json:"autoscaling_groups"`
	DBs []struct {
		Engine           string   `json:"engine"`
		MultiAZ          bool     `json:"multi_az"`
		Encrypted        bool     `json:"encrypted"`
		BackupRetention  int      `json:"backup_retention"`
		Public           bool     `json:"public"`
		SubnetGroupZones []string `json:"subnet_group_zones"`
	} `json:"databases"`
	EC2Tagged       []string `json:"ec2_tagged"`
	LaunchTemplates int      `json:"launch_templates"`
	TargetGroups    int      `json:"target_groups"`
	DBSubnetGroups  int      `json:"db_subnet_groups"`
}

// readWitness runs testdata/witness.py (boto3), skipping when python3 or
// boto3 is missing, except in CI (CI=true), where that fails the test: moto
// brings boto3 along, so its absence there is a broken setup.
func readWitness(t *testing.T, td *testDriver, deployment string) witness {
	t.Helper()
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the boto3 witness needs python3 with boto3, which moto installs: %v", err)
		}
		t.Skipf("skipping the boto3 witness: python3 with boto3 is not available: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), "python3", "testdata/witness.py")
	cmd.Env = append(cmd.Environ(), "WITNESS_ENDPOINT="+td.endpoint, "WITNESS_ACCOUNT="+td.account,
		"WITNESS_DEPLOYMENT="+deployment, "WITNESS_REGION="+mototest.Region)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && errors.As(err, &ee) {
		t.Fatalf("witness.py: %v\n%s", err, ee.Stderr)
	}
	require.NoError(t, err)
	var w witness
	require.NoError(t, json.Unmarshal(out, &w), string(out))
	return w
}

func TestWebAppEndToEnd(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	const dep = "tipster"
	bp := webApp(dep)
	withCertificate(bp, requestCertificate(ctx, t, td, "tipster.example.com"))
	eng := engine(td.Driver)

	res, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, reads, _ := td.calls.snapshot()
	t.Logf("apply: %s; engine calls %d writes %d reads; AWS API calls %d writes %d reads", res, res.WriteCalls, res.ReadCalls, writes, reads)
	assert.Equal(t, len(bp.Resources), res.Created)

	// Read back through the SDK: the VPC's default routes go to the IGW
	// and to a NAT gateway per zone.
	rts, err := td.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{dep}}}})
	require.NoError(t, err)
	targets := map[string]bool{}
	for _, rt := range rts.RouteTables {
		for _, r := range rt.Routes {
			if awssdk.ToString(r.DestinationCidrBlock) == "0.0.0.0/0" {
				targets[awssdk.ToString(r.GatewayId)+awssdk.ToString(r.NatGatewayId)] = true
			}
		}
	}
	assert.Len(t, rts.RouteTables, 6)
	assert.Len(t, targets, 3, "one IGW and two NAT gateways: %v", targets)

	w := readWitness(t, td, dep)
	assert.Equal(t, []string{"10.20.0.0/16"}, w.VPCs)
	assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, w.SubnetZones)
	assert.Equal(t, 6, w.Subnets)
	assert.Equal(t, 2, w.PublicSubnets)
	assert.Equal(t, map[string]int{"igw": 2, "nat": 4}, w.DefaultRoutes)
	assert.Equal(t, 1, w.IGWs)
	assert.Equal(t, 2, w.NATs)
	assert.Equal(t, 2, w.EIPs)
	assert.Equal(t, 4, w.GroupRules, "lb->web, web<-lb, web->db, db<-web")
	require.Len(t, w.ACLs, 1)
	assert.Equal(t, 2, w.ACLs[0].Associations)
	assert.Equal(t, 2, w.ACLs[0].DenyEntries)
	require.Len(t, w.LBs, 1)
	assert.Equal(t, "application", w.LBs[0].Type)
	assert.Equal(t, []string{"HTTP:80", "HTTPS:443"}, w.LBs[0].Listeners)
	assert.Equal(t, []string{"HTTP:8080/health"}, w.LBs[0].HealthCheck)
	require.Len(t, w.ASGs, 1)
	assert.Equal(t, 2, w.ASGs[0].Instances)
	assert.Equal(t, 1, w.ASGs[0].TargetGroups)
	require.Len(t, w.DBs, 1)
	assert.True(t, w.DBs[0].MultiAZ)
	assert.True(t, w.DBs[0].Encrypted)
	assert.False(t, w.DBs[0].Public)
	assert.Equal(t, 7, w.DBs[0].BackupRetention)
	assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, w.DBs[0].SubnetGroupZones)

	// A second apply of the same Blueprint makes no write call.
	td.calls.reset()
	res, err = eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, reads, ops := td.calls.snapshot()
	t.Logf("re-apply: %s; AWS API calls %d writes %d reads", res, writes, reads)
	assert.Zero(t, writes, "re-apply wrote: %v", ops)
	assert.Equal(t, len(bp.Resources), res.Unchanged)

	// Destroy leaves nothing tagged.
	res, err = eng.Destroy(ctx, dep, allowStateful(bp))
	require.NoError(t, err)
	t.Logf("destroy: %s", res)
	w = readWitness(t, td, dep)
	assert.Empty(t, w.EC2Tagged)
	assert.Empty(t, w.LBs)
	assert.Empty(t, w.ASGs)
	assert.Empty(t, w.DBs)
	assert.Zero(t, w.LaunchTemplates)
	assert.Zero(t, w.TargetGroups)
	assert.Zero(t, w.DBSubnetGroups)
}

// requestCertificate asks moto's ACM for a certificate (moto checks that
// an HTTPS listener's certificate exists) and returns its ARN. It speaks
// ACM's JSON protocol directly: the driver has no ACM client.
func requestCertificate(ctx context.Context, t *testing.T, td *testDriver, domain string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, td.endpoint+"/", strings.NewReader(`{"DomainName":"`+domain+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "CertificateManager.RequestCertificate")
	req.Header.Set(mototest.AccountHeader, td.account)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/"+mototest.Region+"/acm/aws4_request, SignedHeaders=host, Signature=x")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct{ CertificateArn string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.NotEmpty(t, out.CertificateArn)
	return out.CertificateArn
}

// withCertificate sets the certificate of the HTTPS listeners of bp.
func withCertificate(bp *blueprint.Blueprint, arn string) {
	for _, r := range bp.Resources {
		if r.LoadBalancer != nil {
			for i := range r.LoadBalancer.Listeners {
				if r.LoadBalancer.Listeners[i].Certificate != "" {
					r.LoadBalancer.Listeners[i].Certificate = arn
				}
			}
		}
	}
}
