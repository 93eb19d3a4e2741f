package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/pattern/patterntest"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// shop is a deploy program's architecture; with -drop-db (a field of the
// test, not a flag) it loses its database tier.
type shop struct {
	dropDB  bool
	desired int
	noImage bool
	// parallelism of the engine (0: its default)
	parallelism int
	// cancel is called once cancelAfter resources are done.
	cancel      func()
	cancelAfter int
}

// engine returns the engine options of s.
func (s shop) engine(o *provider.Options) {
	o.Parallelism = s.parallelism
	if s.cancel == nil {
		return
	}
	show, done := o.OnEvent, 0
	var mu sync.Mutex
	o.OnEvent = func(ev provider.Event) {
		show(ev)
		mu.Lock()
		defer mu.Unlock()
		if ev.Type == provider.EventDone {
			if done++; done == s.cancelAfter {
				s.cancel()
			}
		}
	}
}

func (s shop) architecture(t deploy.Target) (*pattern.Architecture, error) {
	image := t.Image
	if s.noImage {
		image = ""
	}
	api := tier.NewCluster("api", image, "t3.small")
	if s.desired > 0 {
		api.Min, api.Desired, api.Max = s.desired, s.desired, s.desired+2
	}
	a := pattern.New("shop", "10.20.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("api")).
		AddLB(tier.PublicLB("front", "edge", "api", 8080)).
		AddCluster(api)
	if !s.dropDB {
		a.AddTier(tier.PostgreSQL("db")).
			AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).
			Connect("api", "db")
	}
	return a, nil
}

// terminal is a stdin that passes for a terminal, holding the answer.
type terminal struct{ *strings.Reader }

func (terminal) IsTerminal() bool { return true }

// run runs the program of s on d with args and returns its exit status,
// standard output and standard error.
func run(t *testing.T, d *fake.Driver, s shop, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return runCtx(t.Context(), d, s, stdin, args...)
}

func runCtx(ctx context.Context, d *fake.Driver, s shop, stdin string, args ...string) (int, string, string) {
	var out, errOut deploy.SyncBuffer
	cmd := &deploy.Command{Architecture: s.architecture, Driver: d, Stdout: &out, Stderr: &errOut,
		EngineOptions: []func(*provider.Options){s.engine}}
	if stdin != "" {
		cmd.Stdin = terminal{strings.NewReader(stdin)}
	}
	code := cmd.Run(ctx, args)
	return code, out.String(), errOut.String()
}

// validator checks documents against schema.json.
func validator(t *testing.T) func(doc string) {
	t.Helper()
	schemaDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(deploy.Schema))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("schema.json", schemaDoc))
	sch, err := c.Compile("schema.json")
	require.NoError(t, err)
	return func(doc string) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(doc))
		n := 0
		for dec.More() {
			var raw json.RawMessage
			require.NoError(t, dec.Decode(&raw), "not JSON:\n%s", doc)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			require.NoError(t, err)
			assert.NoError(t, sch.Validate(inst), "%s", raw)
			n++
		}
		assert.Positive(t, n, "no JSON document in %q", doc)
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, raw))
	return b.String()
}

// The plan as -plan -json prints it, before and after a change of every
// sort (an update, deletes with a database among them), pinned as golden
// files and valid against schema.json; the exit status is 2 when there
// are changes, as terraform plan -detailed-exitcode's.
func TestPlanJSON(t *testing.T) {
	t.Parallel()
	valid := validator(t)
	d := fake.New()

	code, out, errOut := run(t, d, shop{}, "", "-plan", "-json")
	require.Equal(t, deploy.ExitChanges, code, errOut)
	valid(out)
	patterntest.Golden(t, "plan-create", []byte(out))

	code, _, errOut = run(t, d, shop{}, "", "-cleanup=false")
	require.Equal(t, deploy.ExitOK, code, errOut)

	code, out, errOut = run(t, d, shop{dropDB: true, desired: 3}, "", "-plan", "-json")
	require.Equal(t, deploy.ExitChanges, code, errOut)
	valid(out)
	// The fake numbers its ids in the order of the creates, which the
	// scheduler does not fix: the golden holds every field but the ids.
	patterntest.Golden(t, "plan-change", providerIDs.ReplaceAll([]byte(out), []byte(`"provider_id": "<provider id>"`)))
	var doc deploy.PlanDocument
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, deploy.PlanSummary{Update: 3, Delete: 8, Unchanged: doc.Summary.Unchanged}, doc.Summary)
	for _, c := range doc.Changes {
		switch c.ID {
		case "database/db":
			assert.True(t, c.Stateful && c.Destructive, "the database's delete loses data")
			assert.NotEmpty(t, c.Before)
			assert.Empty(t, c.After)
		case "cluster/api":
			assert.Equal(t, provider.ActionUpdate, c.Action)
			assert.Contains(t, compact(t, c.Before), `"desired":2`)
			assert.Contains(t, compact(t, c.After), `"desired":3`)
		}
	}

	code, out, _ = run(t, d, shop{}, "", "-plan")
	assert.Equal(t, deploy.ExitOK, code, "no change:\n%s", out)
	assert.Contains(t, out, "0 to create, 0 to update, 0 to replace, 0 to delete")
}

// providerIDs matches the provider ids of a plan document.
var providerIDs = regexp.MustCompile(`"provider_id": "[^"]*"`)

// Every output of -json is a document of schema.json: the result of an
// apply and of a destroy, the drift report, the error.
func TestJSONDocuments(t *testing.T) {
	t.Parallel()
	valid := validator(t)
	d := fake.New()

	code, out, _ := run(t, d, shop{}, "", "-json") // on the fake: apply, apply again, destroy
	require.Equal(t, deploy.ExitOK, code)
	valid(out)
	dec := json.NewDecoder(strings.NewReader(out))
	var ops []string
	for dec.More() {
		var r deploy.ResultDocument
		require.NoError(t, dec.Decode(&r))
		assert.Equal(t, deploy.StatusComplete, r.Status)
		ops = append(ops, r.Operation)
		if r.Operation == "apply" && len(ops) == 1 {
			assert.Equal(t, r.Summary.Created, len(r.Resources))
			require.NotNil(t, r.Plan)
			for _, rs := range r.Resources {
				assert.Equal(t, deploy.StatusDone, rs.Status)
			}
		}
	}
	assert.Equal(t, []string{"apply", "apply", "destroy"}, ops)

	code, _, _ = run(t, d, shop{}, "", "-cleanup=false")
	require.Equal(t, deploy.ExitOK, code)
	code, out, _ = run(t, d, shop{}, "", "-drift", "-json")
	assert.Equal(t, deploy.ExitOK, code)
	valid(out)
	assert.Contains(t, out, `"has_drift": false`)

	api, ok := fake.AssertExists(t, d, "shop", "cluster/api")
	require.True(t, ok)
	require.NoError(t, d.Mutate(api.ID, func(r *blueprint.Resource) { r.Cluster.Desired = 5 }))
	code, out, _ = run(t, d, shop{}, "", "-drift", "-json")
	assert.Equal(t, deploy.ExitChanges, code)
	valid(out)
	assert.Contains(t, out, `"id": "cluster/api"`)

	code, out, errOut := run(t, d, shop{}, "", "-json", "-plan", "-destroy")
	assert.Equal(t, deploy.ExitError, code)
	valid(out)
	assert.Contains(t, out, `"schema": "archkit.error/v1"`)
	assert.Contains(t, errOut, "-destroy and -plan: set together; choose one")
}

// The exit statuses and the messages of what goes wrong before a call.
func TestRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		s    shop
		args []string
		want string
	}{
		{"cloud driver not compiled", shop{}, []string{"-provider", "aws"}, "-provider aws: the aws driver is not compiled into this program; build it with the cloud drivers (go run -tags cloud ..., for the examples) or import _ \"github.com/archkit/archkit/provider/deploy/awsdeploy\""},
		{"unknown provider", shop{}, []string{"-provider", "gcp"}, "-provider gcp: unknown provider; use fake"},
		{"account flags on the fake", shop{}, []string{"-region", "eu-west-3"}, "set with -provider fake, which has no account"},
		{"bad progress", shop{}, []string{"-progress", "fancy"}, "-progress fancy: unknown; use auto, live or plain"},
		{"bad diagram", shop{}, []string{"-diagram", "x.gif"}, `-diagram x.gif: unknown format "gif"`},
		{"cleanup with plan", shop{}, []string{"-cleanup", "-plan"}, "-cleanup: set with -plan"},
		{"final snapshot without a destroy", shop{}, []string{"-cleanup=false", "-skip-final-snapshot"}, "-skip-final-snapshot and -delete-automated-backups: only a destroy deletes databases with them; add -destroy or -cleanup"},
		{"bad architecture", shop{noImage: true}, nil, "cluster[api].image"},
		{"reconcile with cleanup", shop{}, []string{"-reconcile", "1m"}, "-reconcile: set with -cleanup, which destroys the deployment; add -cleanup=false"},
		{"reconcile with plan", shop{}, []string{"-reconcile", "1m", "-plan"}, "-reconcile: set with -plan"},
		{"reconcile with json", shop{}, []string{"-reconcile", "1m", "-cleanup=false", "-json"}, "-reconcile: set with -json"},
		{"negative reconcile", shop{}, []string{"-reconcile", "-1s", "-cleanup=false"}, "-reconcile -1s: negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := fake.New()
			code, _, errOut := run(t, d, tc.s, "", tc.args...)
			assert.Equal(t, deploy.ExitError, code)
			assert.Contains(t, errOut, tc.want)
			assert.Zero(t, d.Counts().Writes)
		})
	}
}

// An apply that deletes (a database among what goes) writes nothing
// unless -allow-data-loss names the database, then asks; without a
// terminal and without -auto-approve it refuses, writing nothing.
func TestConfirmation(t *testing.T) {
	t.Parallel()
	valid := validator(t)
	d := fake.New()
	code, _, _ := run(t, d, shop{}, "", "-cleanup=false")
	require.Equal(t, deploy.ExitOK, code)
	smaller := shop{dropDB: true}

	d.ResetCalls()
	code, out, errOut := run(t, d, smaller, "yes\n")
	assert.Equal(t, deploy.ExitError, code, "protected before any question")
	assert.NotContains(t, out, "Do you want to go on?")
	assert.Contains(t, errOut, "database/db: delete, not in the blueprint")
	assert.Contains(t, errOut, "nothing was written; to go on, run again with -allow-data-loss database/db\n")
	code, out, _ = run(t, d, smaller, "", "-json", "-auto-approve")
	assert.Equal(t, deploy.ExitError, code, "-auto-approve lifts no protection")
	valid(out)
	assert.Contains(t, out, `"status": "protected"`)
	assert.Zero(t, d.Counts().Writes)

	allow := []string{"-allow-data-loss", "database/db"}
	code, out, errOut = run(t, d, smaller, "", allow...)
	assert.Equal(t, deploy.ExitError, code)
	assert.Contains(t, out, `Apply "shop" on fake will delete 8 resources:`)
	assert.Contains(t, out, "- delete database/db (not in the blueprint)\n      STATEFUL: its data is lost (allowed by -allow-data-loss)")
	assert.Contains(t, errOut, "the standard input is not a terminal to confirm it: review the plan (-plan), then run again with -auto-approve")
	assert.Contains(t, out, "Apply cancelled: nothing was written")
	assert.Zero(t, d.Counts().Writes)

	code, out, errOut = run(t, d, smaller, "no\n", allow...)
	assert.Equal(t, deploy.ExitError, code)
	assert.Contains(t, out, "Do you want to go on? Only 'yes' is accepted: ")
	assert.Contains(t, errOut, `answered "no", not yes: not confirmed`)
	assert.Zero(t, d.Counts().Writes)

	code, out, errOut = run(t, d, smaller, "yes\n", append(allow, "-cleanup=false")...)
	require.Equal(t, deploy.ExitOK, code, "%s\n%s", out, errOut)
	fake.AssertCount(t, d, blueprint.KindDatabase, 0)

	// A destroy asks too; -auto-approve answers for the user.
	code, _, errOut = run(t, d, smaller, "", "-destroy")
	assert.Equal(t, deploy.ExitError, code)
	assert.Contains(t, errOut, "-auto-approve")
	code, _, _ = run(t, d, smaller, "", "-destroy", "-auto-approve")
	assert.Equal(t, deploy.ExitOK, code)
	assert.Empty(t, d.Resources())
	code, out, _ = run(t, d, smaller, "", "-destroy")
	assert.Equal(t, deploy.ExitOK, code, "nothing to destroy needs no confirmation")
	assert.Contains(t, out, `Nothing to destroy: no resource of "shop" on fake`)
}

// -cleanup deletes without a question, databases included, only what the
// run itself created; a deployment that existed before is destroyed as
// -destroy does it, its data protected.
func TestCleanupKeepsWhatExisted(t *testing.T) {
	t.Parallel()
	d := fake.New()
	code, _, _ := run(t, d, shop{}, "", "-cleanup=false")
	require.Equal(t, deploy.ExitOK, code)

	code, _, errOut := run(t, d, shop{}, "", "-cleanup", "-auto-approve")
	assert.Equal(t, deploy.ExitError, code)
	assert.Contains(t, errOut, "-allow-data-loss database/db")
	fake.AssertCount(t, d, blueprint.KindDatabase, 1)

	code, out, errOut := run(t, d, shop{}, "", "-cleanup", "-auto-approve", "-allow-data-loss", "database/db", "-skip-final-snapshot")
	require.Equal(t, deploy.ExitOK, code, "%s\n%s", out, errOut)
	assert.Empty(t, d.Resources())
}

// Cancelling the run (what SIGINT does) stops it: what was done, what was
// interrupted in flight and what never started are reported, and the exit
// status is 130.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	d := fake.New(func(o *fake.Options) { o.Latency = time.Millisecond })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	code, out, errOut := runCtx(ctx, d, shop{parallelism: 2, cancelAfter: 3, cancel: cancel}, "", "-cleanup=false", "-json")
	assert.Equal(t, deploy.ExitInterrupted, code, errOut)
	var r deploy.ResultDocument
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	assert.Equal(t, deploy.StatusInterrupted, r.Status)
	assert.Positive(t, r.Summary.NotStarted, "what never started is not a failure")
	for _, rs := range r.Resources {
		assert.NotEqual(t, deploy.StatusFailed, rs.Status, "%s: only interrupted or not started, never failed", rs.ID)
	}
	assert.Contains(t, errOut, "Not started (")

	code, _, errOut = run(t, fake.New(), shop{}, "", "-cleanup=false", "-timeout", "1ns")
	assert.Equal(t, deploy.ExitError, code, "a deadline is an error, not an interrupt")
	assert.Contains(t, errOut, "deadline")
}

// On a terminal the progress is a live view; forced into a buffer it still
// ends with the plain lines of every resource and the summary.
func TestLiveProgress(t *testing.T) {
	t.Parallel()
	d := fake.New(func(o *fake.Options) { o.Latency = 2 * time.Millisecond })
	code, out, errOut := run(t, d, shop{}, "", "-cleanup=false", "-progress", "live")
	require.Equal(t, deploy.ExitOK, code, errOut)
	assert.Contains(t, out, "+ net/main: created vpc-")
	assert.Contains(t, out, "+ database/db: created")
	assert.Contains(t, out, `Applying "shop" to fake`)
	assert.Contains(t, out, "done, 0 in progress, 0 pending")
	assert.Contains(t, out, "Apply complete:")
}

// An emulator is an endpoint on this machine; nothing else is.
func TestSettingsIsLoopback(t *testing.T) {
	t.Parallel()
	for endpoint, want := range map[string]bool{
		"http://127.0.0.1:5000": true, "http://127.8.0.1": true, "http://[::1]:5000": true,
		"http://[::ffff:127.0.0.1]:80": true, "http://localhost:4566": true,
		"": false, "http://10.0.0.1:5000": false, "https://ec2.eu-west-3.amazonaws.com": false,
		"http://localhost.example.com": false, "::1": false, "http://[::2]": false,
	} {
		assert.Equal(t, want, deploy.Settings{Endpoint: endpoint}.IsLoopback(), endpoint)
	}
}

// A run that finds the deployment locked by another writes nothing, says
// who holds it and how to wait (status "locked" in JSON); with -lock-wait
// it waits for the holder and then applies.
func TestLockedDeployment(t *testing.T) {
	t.Parallel()
	d := fake.New()
	other, err := provider.NewEngine(d).Lock(t.Context(), "shop")
	require.NoError(t, err)

	code, out, errOut := run(t, d, shop{}, "", "-cleanup=false", "-json")
	assert.Equal(t, deploy.ExitError, code)
	var r deploy.ResultDocument
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	assert.Equal(t, deploy.StatusLocked, r.Status)
	assert.Zero(t, r.Summary.Created)
	assert.Contains(t, errOut, "-lock-wait")
	assert.Contains(t, errOut, "-break-lock "+other.Lock().Holder.ID, "the error names the holder")
	validator(t)(out)
	assert.Empty(t, d.Resources(), "nothing written")

	go func() {
		time.Sleep(50 * time.Millisecond)
		assert.NoError(t, other.Release(context.Background()))
	}()
	code, out, errOut = run(t, d, shop{}, "", "-cleanup=false", "-lock-wait", "1m")
	require.Equal(t, deploy.ExitOK, code, "%s\n%s", out, errOut)
	fake.AssertCount(t, d, blueprint.KindDatabase, 1)
}

// -break-lock breaks the lock of the holder it names, and only that one.
func TestBreakLock(t *testing.T) {
	t.Parallel()
	d := fake.New()
	dead, err := provider.NewEngine(d).Lock(t.Context(), "shop")
	require.NoError(t, err)
	code, _, _ := run(t, d, shop{}, "", "-cleanup=false", "-break-lock", "someone-else")
	assert.Equal(t, deploy.ExitError, code, "a lock held by another holder is not broken")
	assert.Empty(t, d.Resources())
	code, out, errOut := run(t, d, shop{}, "", "-cleanup=false", "-break-lock", dead.Lock().Holder.ID)
	require.Equal(t, deploy.ExitOK, code, "%s\n%s", out, errOut)
	fake.AssertCount(t, d, blueprint.KindDatabase, 1)
}
