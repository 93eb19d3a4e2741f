package aws_test

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// observedOf returns the provider id of the resource with logical id id.
func observedOf(t *testing.T, td *testDriver, deployment string, k blueprint.Kind, id string) driver.Observed {
	t.Helper()
	obs, err := td.List(t.Context(), driver.Query{Deployment: deployment, Kind: k})
	require.NoError(t, err)
	for _, o := range obs {
		if o.LogicalID == id {
			return o
		}
	}
	require.Failf(t, "not found", "no %s %s", k, id)
	return driver.Observed{}
}

// secureState is what the secure defaults look like through the AWS API
// itself, read with the SDK, not through the driver.
type secureState struct {
	defaultGroupRules int
	httpTokens        ec2types.LaunchTemplateHttpTokensState
	hopLimit          int32
	encryptedRoot     bool
	attrs             map[string]string
	listeners         map[int32]string // port -> "forward", "redirect:443", with ssl policy
}

func readSecureState(t *testing.T, td *testDriver, deployment string) secureState {
	t.Helper()
	ctx := t.Context()
	var s secureState
	net := observedOf(t, td, deployment, blueprint.KindNet, "net/main")
	g, err := td.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("vpc-id"), Values: []string{net.ID}}, {Name: awssdk.String("group-name"), Values: []string{"default"}}}})
	require.NoError(t, err)
	require.Len(t, g.SecurityGroups, 1)
	s.defaultGroupRules = len(g.SecurityGroups[0].IpPermissions) + len(g.SecurityGroups[0].IpPermissionsEgress)

	c := observedOf(t, td, deployment, blueprint.KindCluster, "cluster/app")
	v, err := td.EC2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: awssdk.String(c.Parts["launch_template"][0]), Versions: []string{"$Latest"}})
	require.NoError(t, err)
	data := v.LaunchTemplateVersions[0].LaunchTemplateData
	require.NotNil(t, data.MetadataOptions)
	s.httpTokens, s.hopLimit = data.MetadataOptions.HttpTokens, awssdk.ToInt32(data.MetadataOptions.HttpPutResponseHopLimit)
	for _, m := range data.BlockDeviceMappings {
		s.encryptedRoot = s.encryptedRoot || m.Ebs != nil && awssdk.ToBool(m.Ebs.Encrypted)
	}

	lb := observedOf(t, td, deployment, blueprint.KindLoadBalancer, "load_balancer/app-lb")
	a, err := td.ELB.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: awssdk.String(lb.ID)})
	require.NoError(t, err)
	s.attrs = map[string]string{}
	for _, at := range a.Attributes {
		s.attrs[awssdk.ToString(at.Key)] = awssdk.ToString(at.Value)
	}
	ls, err := td.ELB.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: awssdk.String(lb.ID)})
	require.NoError(t, err)
	s.listeners = map[int32]string{}
	for _, l := range ls.Listeners {
		act := l.DefaultActions[0]
		desc := string(act.Type)
		if act.Type == elbtypes.ActionTypeEnumRedirect {
			desc += fmt.Sprintf(":%s %s %s", awssdk.ToString(act.RedirectConfig.Protocol), awssdk.ToString(act.RedirectConfig.Port), act.RedirectConfig.StatusCode)
		}
		if p := awssdk.ToString(l.SslPolicy); l.Protocol == elbtypes.ProtocolEnumHttps {
			desc += " " + p
		}
		s.listeners[awssdk.ToInt32(l.Port)] = desc
	}
	return s
}

// The web app on moto meets the secure defaults, read back through the
// AWS API: the VPC's default group emptied (EC2.2), IMDSv2 required with
// one hop and the root volume encrypted (EC2.8, AutoScaling.3, EC2.3),
// deletion protection and invalid headers dropped (ELB.6, ELB.4), HTTP
// redirected to HTTPS (ELB.1) under the recommended TLS policy. The
// opt-outs read back as set, and Destroy lifts the deletion protection
// before it deletes the balancer (moto would not refuse; AWS does).
func TestSecureDefaultsOnAWS(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	cert := requestCertificate(t.Context(), t, td, "secure.example.com")
	arch := pattern.WebApp(pattern.WebAppOptions{Name: "secure", Profile: netplan.AWS, Image: motoImage, Certificate: cert})
	bp, err := arch.Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	s := readSecureState(t, td, "secure")
	assert.Zero(t, s.defaultGroupRules, "EC2.2: the default group has no rule")
	assert.Equal(t, ec2types.LaunchTemplateHttpTokensStateRequired, s.httpTokens, "EC2.8")
	assert.Equal(t, int32(1), s.hopLimit)
	assert.True(t, s.encryptedRoot, "EC2.3")
	assert.Equal(t, "true", s.attrs["deletion_protection.enabled"], "ELB.6")
	assert.Equal(t, "true", s.attrs["routing.http.drop_invalid_header_fields.enabled"], "ELB.4")
	assert.Equal(t, map[int32]string{80: "redirect:HTTPS 443 HTTP_301", 443: "forward " + blueprint.DefaultTLSPolicy}, s.listeners, "ELB.1")

	td.calls.reset()
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes, "the secure defaults read back as applied: %v %v", ops, res.Changeset)

	// The opt-outs, changed in place.
	arch.KeepDefaultSecurityGroupRules = true
	c := arch.Cluster("app")
	c.AllowIMDSv1, c.MetadataHopLimit, c.UnencryptedVolumes = true, 2, true
	lb := arch.LB("app-lb")
	lb.PlainHTTP, lb.KeepInvalidHeaders, lb.AllowDeletion, lb.TLSPolicy = true, true, true, "ELBSecurityPolicy-TLS13-1-2-2021-06"
	arch.Acknowledge("BP010", "cluster/app", "legacy agent").Acknowledge("BP011", "cluster/app", "scratch nodes").
		Acknowledge("BP012", "load_balancer/app-lb", "health probes").Acknowledge("BP014", "load_balancer/app-lb", "legacy clients").
		Acknowledge("BP015", "load_balancer/app-lb", "ephemeral").Acknowledge("BP016", "net/main", "shared tooling").
		Acknowledge("BP017", "cluster/app", "containers")
	out, err := arch.Build()
	require.NoError(t, err)
	res, err = eng.Apply(t.Context(), out)
	require.NoError(t, err)
	assert.Zero(t, res.Created+res.Replaced+res.Deleted, "in place: %v", res.Changeset)
	s = readSecureState(t, td, "secure")
	assert.Equal(t, 2, s.defaultGroupRules, "AWS's two rules are back")
	assert.Equal(t, ec2types.LaunchTemplateHttpTokensStateOptional, s.httpTokens)
	assert.Equal(t, int32(2), s.hopLimit)
	assert.False(t, s.encryptedRoot)
	assert.Equal(t, "false", s.attrs["deletion_protection.enabled"])
	assert.Equal(t, "false", s.attrs["routing.http.drop_invalid_header_fields.enabled"])
	assert.Equal(t, map[int32]string{80: "forward", 443: "forward ELBSecurityPolicy-TLS13-1-2-2021-06"}, s.listeners)

	// Back to the defaults. A delete that does not lift the protection is
	// refused, as AWS refuses it (OperationNotPermitted), and nothing is
	// touched; Destroy lifts the protection first.
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	require.Equal(t, "true", readSecureState(t, td, "secure").attrs["deletion_protection.enabled"])
	td.calls.reset()
	err = td.Delete(t.Context(), observedOf(t, td, "secure", blueprint.KindLoadBalancer, "load_balancer/app-lb"), driver.DeleteOptions{})
	require.ErrorIs(t, err, driver.ErrInvalid)
	writes, _, _ = td.calls.snapshot()
	assert.Zero(t, writes, "refused before the first write")
	_, err = eng.Destroy(t.Context(), "secure", allowStateful(bp))
	require.NoError(t, err)
	_, _, ops = td.calls.snapshot()
	assert.Equal(t, 1, ops["ModifyLoadBalancerAttributes"], "deletion protection lifted once, by the delete")
}

// The web app's network ACLs, read back from moto with DescribeNetworkAcls,
// hold the NAT transit entries: the public tier's ACL passes the app's
// HTTPS to the internet and its replies (issue 14: all four hit the deny
// entry 32766 before).
func TestTransitEntriesOnAWS(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	bp, err := pattern.WebApp(pattern.WebAppOptions{Name: "transit", Profile: netplan.AWS, Image: motoImage}).Build()
	require.NoError(t, err)
	_, err = engine(td.Driver).Apply(t.Context(), bp)
	require.NoError(t, err)

	acl := observedOf(t, td, "transit", blueprint.KindNetworkACL, "network_acl/public")
	out, err := td.EC2.DescribeNetworkAcls(t.Context(), &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{acl.ID}})
	require.NoError(t, err)
	require.Len(t, out.NetworkAcls, 1)
	entries := out.NetworkAcls[0].Entries
	appA, appB := netip.MustParseAddr("10.0.2.10"), netip.MustParseAddr("10.0.3.10") // in app/a and app/b
	partner := netip.MustParseAddr("198.51.100.7")
	for _, hop := range []struct {
		what   string
		egress bool
		port   int32
		peer   netip.Addr
	}{
		{"the request, from app/a to the NAT", false, 443, appA},
		{"the request, from app/b to the NAT", false, 443, appB},
		{"the request, from the NAT to the internet", true, 443, partner},
		{"the reply, to the NAT's translated port", false, 40000, partner},
		{"the reply, to app/a's ephemeral port", true, 33000, appA},
		{"the reply, to app/b's ephemeral port", true, 61000, appB},
	} {
		assert.True(t, aclAllows(entries, hop.egress, hop.port, hop.peer), "public ACL drops %s (tcp/%d, %s)", hop.what, hop.port, hop.peer)
	}
	assert.False(t, aclAllows(entries, true, 80, partner), "only the declared port: tcp/80 does not leave for the internet")
}

// aclAllows evaluates a network ACL as AWS does: the entries of the
// direction in increasing number, the first that matches decides, and
// nothing matching means deny.
func aclAllows(entries []ec2types.NetworkAclEntry, egress bool, port int32, peer netip.Addr) bool {
	es := slices.Clone(entries)
	slices.SortFunc(es, func(a, b ec2types.NetworkAclEntry) int {
		return int(awssdk.ToInt32(a.RuleNumber) - awssdk.ToInt32(b.RuleNumber))
	})
	for _, e := range es {
		if awssdk.ToBool(e.Egress) != egress {
			continue
		}
		p, err := netip.ParsePrefix(awssdk.ToString(e.CidrBlock))
		if err != nil || !p.Contains(peer) {
			continue
		}
		switch proto := awssdk.ToString(e.Protocol); {
		case proto == "-1":
		case proto == "6" && e.PortRange != nil && awssdk.ToInt32(e.PortRange.From) <= port && port <= awssdk.ToInt32(e.PortRange.To):
		default:
			continue
		}
		return e.RuleAction == ec2types.RuleActionAllow
	}
	return false
}
