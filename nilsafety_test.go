package archkit_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/pattern/render"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/tier"
)

// publicPackages are the packages whose every exported function and
// method the walk calls with nil and zero values. provider/providertest
// and pattern/patterntest are left out: they are test helpers, called
// with a *testing.T.
var publicPackages = []string{"netplan", "tier", "pattern", "pattern/blueprint", "pattern/render", "provider", "provider/driver",
	"provider/fake", "provider/aws", "provider/outscale", "provider/deploy"}

// funcs are the exported package-level functions, by "<dir>.<name>".
var funcs = map[string]any{
	"netplan.AllocateNets": netplan.AllocateNets, "netplan.CIDR": netplan.CIDR, "netplan.CIDRHost": netplan.CIDRHost,
	"netplan.CIDRSubnet": netplan.CIDRSubnet, "netplan.CIDRSubnets": netplan.CIDRSubnets, "netplan.CompareKey": netplan.CompareKey,
	"netplan.ComparePortRange": netplan.ComparePortRange, "netplan.Derive": netplan.Derive, "netplan.Internet": netplan.Internet,
	"netplan.NewPlanner": netplan.NewPlanner, "netplan.ParseFlow": netplan.ParseFlow, "netplan.ParsePortRange": netplan.ParsePortRange,
	"netplan.ParsePrefix": netplan.ParsePrefix, "netplan.Peer": netplan.Peer, "netplan.Port": netplan.Port, "netplan.Ports": netplan.Ports,
	"netplan.ProfileByName": netplan.ProfileByName, "netplan.Profiles": netplan.Profiles, "netplan.Tier": netplan.Tier,

	"tier.App": tier.App, "tier.Bastion": tier.Bastion, "tier.CheckInstanceClass": tier.CheckInstanceClass, "tier.CheckName": tier.CheckName,
	"tier.DefaultScaling": tier.DefaultScaling, "tier.HTTP": tier.HTTP, "tier.HTTPS": tier.HTTPS, "tier.InternalLB": tier.InternalLB,
	"tier.Kafka": tier.Kafka, "tier.LoadBalancers": tier.LoadBalancers, "tier.Memcached": tier.Memcached, "tier.MySQL": tier.MySQL,
	"tier.NewCluster": tier.NewCluster, "tier.NewDatabase": tier.NewDatabase, "tier.Nginx": tier.Nginx, "tier.PostgreSQL": tier.PostgreSQL,
	"tier.PublicLB": tier.PublicLB, "tier.RabbitMQ": tier.RabbitMQ, "tier.Redis": tier.Redis, "tier.TCP": tier.TCP,
	"tier.TCPListener": tier.TCPListener, "tier.UDP": tier.UDP, "tier.Web": tier.Web,
	"tier.ConsumeQueue": tier.ConsumeQueue, "tier.ProduceQueue": tier.ProduceQueue, "tier.ReadBucket": tier.ReadBucket,
	"tier.WriteBucket": tier.WriteBucket, "tier.DatabaseSecret": tier.DatabaseSecret, "tier.BrokerSecret": tier.BrokerSecret, "tier.ReadParameters": tier.ReadParameters,
	"tier.Statements": tier.Statements, "tier.ValidateGrants": tier.ValidateGrants,
	"tier.ServiceOf": tier.ServiceOf, "tier.ServicesOf": tier.ServicesOf, "pattern.DeriveEndpoints": pattern.DeriveEndpoints,
	"tier.NewCache": tier.NewCache, "tier.CheckCacheNodeType": tier.CheckCacheNodeType, "tier.SessionManager": tier.SessionManager,
	"tier.NewBroker": tier.NewBroker, "tier.CheckBrokerInstanceType": tier.CheckBrokerInstanceType, "tier.CheckBrokerUsername": tier.CheckBrokerUsername, "tier.CheckMaintenanceWindow": tier.CheckMaintenanceWindow,

	"pattern.CarveNets": pattern.CarveNets, "pattern.CloudNative": pattern.CloudNative, "pattern.DMZ": pattern.DMZ,
	"pattern.Elastic": pattern.Elastic, "pattern.Regions": pattern.Regions,
	"pattern.ThreeTierRecovery": pattern.ThreeTierRecovery, "pattern.WebAppRecovery": pattern.WebAppRecovery,
	"pattern.ElasticRecovery": pattern.ElasticRecovery, "pattern.LBName": pattern.LBName, "pattern.New": pattern.New, "pattern.Parallel": pattern.Parallel,
	"pattern.Series": pattern.Series, "pattern.Spread": pattern.Spread, "pattern.ThreeTier": pattern.ThreeTier, "pattern.WebApp": pattern.WebApp,

	"blueprint.CheckDeployment": blueprint.CheckDeployment, "blueprint.CheckDescription": blueprint.CheckDescription, "blueprint.CheckLBName": blueprint.CheckLBName,
	"blueprint.CompareEntries": blueprint.CompareEntries, "blueprint.CompareKinds": blueprint.CompareKinds,
	"blueprint.CompareListeners": blueprint.CompareListeners, "blueprint.CompareRoutes": blueprint.CompareRoutes,
	"blueprint.CompareRules": blueprint.CompareRules, "blueprint.Description": blueprint.Description,
	"blueprint.CheckByID": blueprint.CheckByID, "blueprint.Acknowledge": blueprint.Acknowledge, "blueprint.SortFindings": blueprint.SortFindings,
	"blueprint.RouteTargetKind": blueprint.RouteTargetKind,
	"blueprint.IAMName":         blueprint.IAMName, "blueprint.FromTier": blueprint.FromTier, "blueprint.ParsePolicyDocument": blueprint.ParsePolicyDocument,
	"blueprint.PolicyChars": blueprint.PolicyChars, "blueprint.ImageCopyName": blueprint.ImageCopyName,
	"blueprint.CheckBackupCron": blueprint.CheckBackupCron, "blueprint.BackupVaultName": blueprint.BackupVaultName, "blueprint.BackupPlanName": blueprint.BackupPlanName,

	"provider.NewEngine": provider.NewEngine, "provider.NewFleet": provider.NewFleet, "provider.NewRenderer": provider.NewRenderer,

	"driver.CodeOf": driver.CodeOf, "driver.CompareObserved": driver.CompareObserved, "driver.Hash": driver.Hash,
	"driver.IsRetryable": driver.IsRetryable, "driver.NewError": driver.NewError, "driver.Token": driver.Token,
	"driver.FinalSnapshotName": driver.FinalSnapshotName,
	"driver.TokenPrefix":       driver.TokenPrefix, "driver.LockName": driver.LockName, "driver.LockFromTags": driver.LockFromTags,
	"driver.ExpiryTags": driver.ExpiryTags, "driver.WithRefresh": driver.WithRefresh, "driver.WithRegionRuns": driver.WithRegionRuns, "driver.RegionEnded": driver.RegionEnded, "driver.Shared": driver.Shared[any],

	"fake.AssertAllows": fake.AssertAllows, "fake.AssertCount": fake.AssertCount, "fake.AssertDenies": fake.AssertDenies,
	"fake.AssertExists": fake.AssertExists, "fake.AssertNoLeaks": fake.AssertNoLeaks, "fake.IsWrite": fake.IsWrite, "fake.IsLock": fake.IsLock,
	"fake.New": fake.New, "fake.NewAccount": fake.NewAccount, "fake.Outscale": fake.Outscale, "fake.SecretARN": fake.SecretARN, "fake.BrokerSecretARN": fake.BrokerSecretARN,

	"aws.New": aws.New, "aws.NewFromConfig": aws.NewFromConfig,
	"outscale.New": outscale.New,

	"render.Architecture": render.Architecture, "render.DOT": render.DOT,

	"deploy.Billable": deploy.Billable, "deploy.Clusters": deploy.Clusters, "deploy.Diagram": deploy.Diagram,
	"deploy.Findings": deploy.Findings, "deploy.Lazy": deploy.Lazy, "deploy.LoadBalancers": deploy.LoadBalancers,
	"deploy.NewDriftDocument": deploy.NewDriftDocument, "deploy.NewErrorDocument": deploy.NewErrorDocument,
	"deploy.NewPlanDocument": deploy.NewPlanDocument, "deploy.Nines": deploy.Nines, "deploy.Availability": deploy.Availability,
	"deploy.Providers": deploy.Providers, "deploy.RegisterRenderer": deploy.RegisterRenderer, "deploy.Resources": deploy.Resources,
	"deploy.SecurityGroups": deploy.SecurityGroups, "deploy.Subnets": deploy.Subnets,
}

// panicking are the functions that panic by design on bad input, as
// their names say (netip's MustX convention), or as database/sql's
// Register does on a program's mistake; deploy.Main ends the process.
var panicking = []string{"netplan.MustParsePrefix", "deploy.Register", "deploy.Main"}

// types are the exported types whose methods the walk calls, each as a nil
// pointer of the type.
var types = map[string]any{}

func init() {
	for _, v := range []any{
		(*netplan.ACL)(nil), (*netplan.ACLEntry)(nil), (*netplan.Action)(nil), (*netplan.Allocation)(nil), (*netplan.Balancer)(nil),
		(*netplan.Bounds)(nil), (*netplan.Direction)(nil), (*netplan.EgressMode)(nil), (*netplan.Endpoint)(nil), (*netplan.EndpointKind)(nil),
		(*netplan.Exposure)(nil), (*netplan.FieldError)(nil), (*netplan.Finding)(nil), (*netplan.Flow)(nil), (*netplan.Group)(nil),
		(*netplan.Key)(nil), (*netplan.Listener)(nil), (*netplan.Mismatch)(nil), (*netplan.NAT)(nil), (*netplan.NATMode)(nil),
		(*netplan.NetRequest)(nil), (*netplan.NoSpaceError)(nil), (*netplan.Options)(nil), (*netplan.Plan)(nil), (*netplan.Planner)(nil),
		(*netplan.PortRange)(nil), (*netplan.Profile)(nil), (*netplan.Protocol)(nil), (*netplan.Query)(nil), (*netplan.Quotas)(nil),
		(*netplan.Reacher)(nil), (*netplan.Request)(nil), (*netplan.RequestFields)(nil), (*netplan.Reserved)(nil), (*netplan.Route)(nil),
		(*netplan.RouteTable)(nil), (*netplan.RouteTarget)(nil), (*netplan.Rules)(nil), (*netplan.SGRule)(nil), (*netplan.SecurityGroup)(nil),
		(*netplan.Severity)(nil), (*netplan.SourceMode)(nil), (*netplan.Step)(nil), (*netplan.Subnet)(nil), (*netplan.TargetKind)(nil),
		(*netplan.Topology)(nil), (*netplan.Verdict)(nil),

		(*tier.Cluster)(nil), (*tier.Database)(nil), (*tier.Engine)(nil), (*tier.Cache)(nil), (*tier.CacheEngine)(nil), (*tier.Broker)(nil), (*tier.BrokerEngine)(nil), (*tier.HealthCheck)(nil), (*tier.LB)(nil), (*tier.LBType)(nil),
		(*tier.Listener)(nil), (*tier.Port)(nil), (*tier.Role)(nil), (*tier.Scaling)(nil), (*tier.Scheme)(nil), (*tier.Secret)(nil), (*tier.PublicKey)(nil), (*tier.Tier)(nil),
		(*tier.GrantKind)(nil), (*tier.Access)(nil), (*tier.Grant)(nil), (*tier.Statement)(nil), (*tier.Service)(nil),
		(*netplan.ServiceEndpoint)(nil), (*pattern.Endpoints)(nil), (*pattern.EndpointUse)(nil), (*blueprint.NetEndpointSpec)(nil),

		(*pattern.Architecture)(nil), (*pattern.Availability)(nil), (*pattern.AvailabilityReport)(nil), (*pattern.Bus)(nil), (*pattern.Cache)(nil),
		(*pattern.Check)(nil), (*pattern.CloudNativeOptions)(nil), (*pattern.DMZOptions)(nil), (*pattern.ElasticOptions)(nil), (*pattern.Link)(nil),
		(*pattern.ThreeTierOptions)(nil), (*pattern.TierAvailability)(nil), (*pattern.WebAppOptions)(nil), (*pattern.VPN)(nil), (*pattern.Bastion)(nil),
		(*pattern.FlowLogs)(nil),
		(*pattern.MultiRegion)(nil), (*pattern.Region)(nil), (*pattern.Posture)(nil), (*pattern.Recovery)(nil), (*pattern.Peering)(nil), (*pattern.VPNLinkOptions)(nil),

		(*blueprint.ACLEntrySpec)(nil), (*blueprint.Acknowledgement)(nil), (*blueprint.Check)(nil), (*blueprint.Blueprint)(nil), (*blueprint.DeploymentError)(nil),
		(*blueprint.ClusterSpec)(nil), (*blueprint.DatabaseSpec)(nil),
		(*blueprint.HealthCheckSpec)(nil), (*blueprint.InternetGatewaySpec)(nil), (*blueprint.Kind)(nil), (*blueprint.KindInfo)(nil),
		(*blueprint.ListenerSpec)(nil), (*blueprint.LoadBalancerSpec)(nil), (*blueprint.NATGatewaySpec)(nil), (*blueprint.NetSpec)(nil),
		(*blueprint.NetworkACLSpec)(nil), (*blueprint.PublicIPSpec)(nil), (*blueprint.Ref)(nil), (*blueprint.Resource)(nil), (*blueprint.RouteSpec)(nil),
		(*blueprint.RouteTableSpec)(nil), (*blueprint.RuleKey)(nil), (*blueprint.RuleSpec)(nil), (*blueprint.ScalingSpec)(nil),
		(*blueprint.SecurityGroupRulesSpec)(nil), (*blueprint.SecurityGroupSpec)(nil), (*blueprint.SubnetSpec)(nil),
		(*blueprint.DatabaseReplicaSpec)(nil), (*blueprint.CacheSpec)(nil), (*blueprint.BrokerSpec)(nil), (*blueprint.Existing)(nil),
		(*blueprint.VPNGatewaySpec)(nil), (*blueprint.CustomerGatewaySpec)(nil), (*blueprint.VPNConnectionSpec)(nil), (*blueprint.VPNApplianceSpec)(nil), (*blueprint.NetPeeringSpec)(nil), (*blueprint.KeyPairSpec)(nil),
		(*blueprint.InstanceRoleSpec)(nil), (*blueprint.PolicyStatement)(nil), (*blueprint.ARNScope)(nil), (*blueprint.FlowLogSpec)(nil),
		(*blueprint.ImageCopySpec)(nil), (*blueprint.DatabaseSource)(nil),
		(*blueprint.BackupVaultSpec)(nil), (*blueprint.BackupPlanSpec)(nil), (*blueprint.BackupCopy)(nil), (*pattern.SnapshotSchedule)(nil),

		(*provider.Action)(nil), (*provider.ApplyOptions)(nil), (*provider.Change)(nil), (*provider.Changeset)(nil), (*provider.DestroyOptions)(nil), (*provider.DriftReport)(nil),
		(*provider.Engine)(nil), (*provider.Event)(nil), (*provider.EventType)(nil), (*provider.FieldDiff)(nil), (*provider.Options)(nil),
		(*provider.Problem)(nil), (*provider.Renderer)(nil), (*provider.Result)(nil), (*provider.ReconcileOptions)(nil), (*provider.Pass)(nil),
		(*provider.DestroyOptions)(nil), (*provider.Class)(nil), (*provider.ProtectedError)(nil),
		(*provider.Lease)(nil), (*provider.Pass)(nil), (*provider.ReconcileOptions)(nil), (*provider.LockOptions)(nil), (*provider.LockedError)(nil),
		(*provider.Fleet)(nil), (*provider.FleetPlan)(nil), (*provider.RegionPlan)(nil), (*provider.FleetResult)(nil),
		(*provider.RegionResult)(nil), (*provider.RegionError)(nil),

		(*driver.Blocker)(nil), (*driver.Capabilities)(nil), (*driver.Code)(nil), (*driver.Error)(nil), (*driver.Observed)(nil),
		(*driver.Query)(nil), (*driver.Request)(nil), (*driver.RetryPolicy)(nil), (*driver.DeleteOptions)(nil), (*driver.Lock)(nil), (*driver.Holder)(nil),

		(*fake.Account)(nil), (*fake.Call)(nil), (*fake.Counts)(nil), (*fake.Driver)(nil), (*fake.Fault)(nil), (*fake.IDStyle)(nil), (*fake.Options)(nil), (*fake.Snapshot)(nil),
		(*fake.DeletedDatabase)(nil), (*fake.Cloud)(nil),

		(*aws.Driver)(nil), (*aws.Options)(nil),
		(*outscale.APIError)(nil), (*outscale.Credentials)(nil), (*outscale.Driver)(nil), (*outscale.Options)(nil),

		(*render.Format)(nil),

		(*deploy.ArchitectureFunc)(nil), (*deploy.ChangeDocument)(nil), (*deploy.Command)(nil), (*deploy.DriftDocument)(nil),
		(*deploy.ErrorDocument)(nil), (*deploy.Flags)(nil), (*deploy.IDList)(nil), (*deploy.PlanDocument)(nil), (*deploy.PlanSummary)(nil),
		(*deploy.Provider)(nil), (*deploy.Renderer)(nil), (*deploy.ResourceDocument)(nil), (*deploy.ResultDocument)(nil),
		(*deploy.ResultSummary)(nil), (*deploy.Section)(nil), (*deploy.Settings)(nil), (*deploy.Target)(nil),
	} {
		t := reflect.TypeOf(v).Elem()
		types[dirOf(t.PkgPath())+"."+t.Name()] = v
	}
	types["pattern.Check"] = (*pattern.Check)(nil) // an alias of blueprint.Check
}

// interfaces are exported interface types: nothing to call.
var interfaces = []string{"driver.Checker", "driver.Driver", "driver.Locker", "driver.Replacer", "provider.Source", "provider.MultiSource", "provider.PeerSetter", "fake.TestingT", "aws.AutoScalingAPI", "aws.EC2API", "aws.ELBAPI", "aws.RDSAPI", "aws.IAMAPI", "aws.LogsAPI", "aws.ElastiCacheAPI", "aws.MQAPI", "aws.SecretsAPI", "aws.BackupAPI"}

func dirOf(pkgPath string) string {
	return pkgPath[strings.LastIndex(pkgPath, "/")+1:]
}

// TestEveryExportedNameIsWalked parses the public packages and fails when
// an exported function or type is missing from the walk's tables, so that
// a new one cannot escape it.
func TestEveryExportedNameIsWalked(t *testing.T) {
	t.Parallel()
	for _, dir := range publicPackages {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		fset := token.NewFileSet()
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
			require.NoError(t, err)
			for _, decl := range f.Decls {
				for _, name := range exported(decl) {
					key := filepath.Base(dir) + "." + name
					_, isFunc := funcs[key]
					_, isType := types[key]
					assert.True(t, isFunc || isType || slices.Contains(interfaces, key) || slices.Contains(panicking, key), "%s is not in the nil-safety walk", key)
				}
			}
		}
	}
}

// exported returns the exported top-level functions and types of decl.
func exported(decl ast.Decl) []string {
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil && d.Name.IsExported() {
			return []string{d.Name.Name}
		}
	case *ast.GenDecl:
		var out []string
		for _, s := range d.Specs {
			if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
				out = append(out, ts.Name.Name)
			}
		}
		return out
	}
	return nil
}

// TestNoPanicOnNilOrZero calls every exported function with zero
// arguments, and every method of every exported type on a nil pointer
// (the pointer-receiver methods) and on a zero value, with zero arguments
// (a live context where one is taken). None may panic; a method that
// returns an error must return one on a nil receiver.
func TestNoPanicOnNilOrZero(t *testing.T) {
	t.Parallel()
	for name, fn := range funcs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			call(t, name, reflect.ValueOf(fn), false)
		})
	}
	for name, v := range types {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ptr := reflect.TypeOf(v)
			for i := range ptr.NumMethod() {
				m := ptr.Method(i)
				_, valueMethod := ptr.Elem().MethodByName(m.Name)
				if !valueMethod {
					// Unwrap and MarshalJSON of nil are nil and "null", not errors.
					wantErr := m.Name != "Unwrap" && !strings.HasPrefix(m.Name, "Marshal")
					call(t, name+"(nil)."+m.Name, reflect.ValueOf(v).Method(i), wantErr)
				}
				call(t, name+"{}."+m.Name, reflect.New(ptr.Elem()).Method(i), false)
			}
		})
	}
}

// call calls fn with zero arguments and fails on a panic, or, when
// wantErr, on a nil error among the results.
func call(t *testing.T, name string, fn reflect.Value, wantErr bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	ft := fn.Type()
	args := make([]reflect.Value, 0, ft.NumIn())
	for i := range ft.NumIn() {
		in := ft.In(i)
		switch {
		case ft.IsVariadic() && i == ft.NumIn()-1:
			continue
		case in == reflect.TypeFor[context.Context]():
			args = append(args, reflect.ValueOf(ctx))
		case in == reflect.TypeFor[fake.TestingT]():
			args = append(args, reflect.ValueOf(fake.TestingT(&quietT{})))
		default:
			args = append(args, reflect.Zero(in))
		}
	}
	var out []reflect.Value
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("%s panics on nil or zero input: %v", name, p)
			}
		}()
		out = fn.Call(args)
	}()
	if !wantErr || out == nil {
		return
	}
	for _, o := range out {
		if o.Type() == reflect.TypeFor[error]() {
			err, _ := o.Interface().(error)
			assert.Error(t, err, "%s on a nil receiver returns no error", name)
			if err != nil {
				assert.NotContains(t, err.Error(), "nil pointer", name)
			}
		}
	}
}

// quietT is a fake.TestingT that records instead of failing.
type quietT struct{ errs []string }

func (q *quietT) Errorf(format string, args ...any) {
	q.errs = append(q.errs, fmt.Sprintf(format, args...))
}
func (q *quietT) Helper() {}

// TestNoPanicIssueCases are the cases of the issue, with inputs the
// zero-argument walk does not reach: an engine without a driver given a
// real Blueprint, nil option functions, a zero Renderer given events.
func TestNoPanicIssueCases(t *testing.T) {
	t.Parallel()
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop"}).Build()
	require.NoError(t, err)
	ctx := t.Context()
	var nilArch *pattern.Architecture
	for name, run := range map[string]func() error{
		"nil Architecture Build":   func() error { _, err := nilArch.Build(); return err },
		"nil Architecture Rules":   func() error { _, err := nilArch.Rules(); return err },
		"nil Architecture Plan":    func() error { _, err := nilArch.Plan(); return err },
		"nil Architecture Mermaid": func() error { _, err := nilArch.Mermaid(); return err },
		"nil Architecture DOT":     func() error { _, err := nilArch.DOT(); return err },
		"nil Architecture chained": func() error {
			_, err := nilArch.AddTier(tier.Web("web")).Connect("internet", "web").Build()
			return err
		},
		"NewEngine(nil).Apply":       func() error { _, err := provider.NewEngine(nil).Apply(ctx, bp); return err },
		"NewEngine(nil).Plan":        func() error { _, err := provider.NewEngine(nil).Plan(ctx, bp); return err },
		"NewEngine(nil).Destroy":     func() error { _, err := provider.NewEngine(nil).Destroy(ctx, "shop"); return err },
		"NewEngine(nil).Drift":       func() error { _, err := provider.NewEngine(nil).Drift(ctx, bp); return err },
		"zero Engine Apply":          func() error { _, err := (&provider.Engine{}).Apply(ctx, bp); return err },
		"zero Engine Plan":           func() error { _, err := (&provider.Engine{}).Plan(ctx, bp); return err },
		"zero Engine Destroy":        func() error { _, err := (&provider.Engine{}).Destroy(ctx, "shop"); return err },
		"zero Engine Drift":          func() error { _, err := (&provider.Engine{}).Drift(ctx, bp); return err },
		"nil Blueprint Apply":        func() error { _, err := provider.NewEngine(fake.New()).Apply(ctx, nil); return err },
		"nil options Apply":          func() error { _, err := provider.NewEngine(fake.New(nil), nil).Apply(ctx, nil, nil); return err },
		"zero aws.Driver Apply":      func() error { _, err := provider.NewEngine(&aws.Driver{}).Apply(ctx, bp); return err },
		"zero outscale.Driver Apply": func() error { _, err := provider.NewEngine(&outscale.Driver{}).Apply(ctx, bp); return err },
		"nil fake.Driver Apply":      func() error { _, err := provider.NewEngine((*fake.Driver)(nil)).Apply(ctx, bp); return err },
		"nil Blueprint Validate":     func() error { return (*blueprint.Blueprint)(nil).Validate() },
		"nil Changeset WriteTo":      func() error { _, err := (*provider.Changeset)(nil).WriteTo(nil); return err },
		"nil Rules WriteMarkdown":    func() error { return (*netplan.Rules)(nil).WriteMarkdown(nil) },
		"nil Plan WriteTable":        func() error { return (*netplan.Plan)(nil).WriteTable(nil) },
		"nil fake.Driver AssertCount": func() error {
			q := &quietT{}
			fake.AssertCount(q, nil, blueprint.KindNet, 0)
			return errors.New(strings.Join(q.errs, ""))
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var err error
			require.NotPanics(t, func() { err = run() })
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "nil pointer")
			if strings.Contains(name, "Engine") && !strings.Contains(name, "Blueprint") {
				assert.ErrorIs(t, err, provider.ErrNoDriver)
			}
		})
	}
	// The zero fake works: it is fake.New() set up on first use.
	var zero fake.Driver
	_, err = provider.NewEngine(&zero).Apply(ctx, bp)
	require.NoError(t, err)
	// A zero Renderer, or one without a writer, drops events.
	for _, r := range []*provider.Renderer{{}, provider.NewRenderer(nil), nil} {
		assert.NotPanics(t, func() {
			r.Handle(provider.Event{Type: provider.EventDone, ID: "net/main"})
			r.Handle(provider.Event{Type: provider.EventComplete, Message: "done"})
		})
	}
}
