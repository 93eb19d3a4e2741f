// Package deploy is the toolkit of deploy programs: a program declares its
// architecture, and Main gives it a command line that plans, asks, applies
// with a progress display, destroys, reports drift and speaks JSON, with
// exit statuses a CI can use.
//
//	package main
//
//	import (
//		"github.com/archkit/archkit/netplan"
//		"github.com/archkit/archkit/pattern"
//		"github.com/archkit/archkit/provider/deploy"
//		"github.com/archkit/archkit/tier"
//	)
//
//	func main() { deploy.Main(shop) }
//
//	func shop(t deploy.Target) (*pattern.Architecture, error) {
//		return pattern.New("shop", "10.20.0.0/16").
//			AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("api"), tier.PostgreSQL("db")).
//			AddLB(tier.PublicLB("front", "edge", "api", 8080)).
//			AddCluster(tier.NewCluster("api", t.Image, "t3.small")).
//			AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).
//			Connect("api", "db"), nil
//	}
//
// # The command line
//
//	go run .                      # plan, then apply to the in-memory fake (then apply again and destroy: its state ends with the program)
//	go run . -plan                # what an apply would change; exit 0: nothing, 2: changes, 1: error (go run turns any failure into 1: build the program for CI)
//	go run . -plan -json          # the same as a JSON document (schema.json)
//	go run . -drift               # what changed outside archkit; exit 0: nothing, 2: drift
//	go run . -cleanup=false -reconcile 1m   # apply, then heal what moves out of band every minute (provider.Engine.Reconcile) until Ctrl-C
//	go run . -destroy             # delete the deployment, after a confirmation; databases only with -allow-data-loss
//	go run . -blueprint           # the Blueprint as JSON
//	go run . -diagram shop.mmd    # the diagram: .mmd (Mermaid), .dot, or .svg with a renderer
//	go run . -provider aws -region eu-west-3 -image ami-0123abcd   # with the AWS driver compiled in
//
// The shared flags are described on [Flags]; a program adds its own to
// flag.CommandLine before it calls Main, and reads them in its
// [ArchitectureFunc], which runs after the command line is parsed.
//
// # Providers
//
// The fake (package provider/fake) is built in. The cloud drivers are not:
// they take minutes and gigabytes to compile on a first build, which a
// program that runs on the fake should not pay. A program gets them by
// importing their registration packages for their side effect, as
// database/sql drivers are imported:
//
//	import (
//		_ "github.com/archkit/archkit/provider/deploy/awsdeploy" // -provider aws
//		_ "github.com/archkit/archkit/provider/deploy/oscdeploy" // -provider outscale
//	)
//
// archkit's examples import them from a file behind the build tag cloud,
// so `go run ./examples/threetier` compiles the fake only and
// `go run -tags cloud ./examples/threetier -provider aws` the drivers too.
// Without them, -provider aws fails and says how to get it. Each driver
// reads its cloud's own configuration (AWS_PROFILE and ~/.aws, or
// OSC_PROFILE and ~/.osc/config.json); -region, -profile and -endpoint
// override it.
//
// # Protection and confirmation
//
// A run that would delete or replace a stateful resource (a database, a
// database cluster) writes nothing unless -allow-data-loss names it
// ("-allow-data-loss database/db"): the engine refuses before its first
// write (provider.ErrProtected), and the run says which ids to name; its
// status is "protected" in the JSON result. -auto-approve lifts no
// protection. A destroy deletes a database with a final snapshot and
// keeps its automated backups unless -skip-final-snapshot and
// -delete-automated-backups say otherwise (provider.DestroyOptions).
// -cleanup deletes what the run itself created, databases included,
// without a question or a final snapshot; a deployment that existed before
// the run is destroyed as -destroy does it.
//
// An apply or a destroy writes under the deployment's lock (see
// provider.Engine.Lock). When another run holds it, the run writes
// nothing, names the holder and ends with status "locked" in the JSON
// result; -lock-wait 10m waits that long for the holder instead, and
// -break-lock <holder id> breaks a dead run's lock (only the holder it
// names).
//
// An apply whose plan replaces or deletes anything, and a destroy, ask
// for a "yes" on the terminal first, naming every resource that goes and
// calling out the stateful ones, whose data is lost. -auto-approve skips
// the question, as Terraform's does. Without a terminal (CI, a pipe) and
// without -auto-approve the run refuses, writes nothing and says so
// ([ErrNotConfirmed]). The plan confirmed is the plan applied: the engine
// calls the confirmation between its plan and its first write
// (provider.ApplyOptions.Confirm), with nothing listed again in between.
//
// # Progress
//
// On a terminal the run draws a live view: a bar of the resources
// finished, with what is pending and in progress, the elapsed time and the
// slowest resource in flight, and a line per resource in flight (creating,
// waiting until ready, retrying) with its time. Elsewhere (a CI log, a
// pipe) it prints the plain lines of provider.Renderer, one per resource,
// and every 10 seconds a line naming what is still in flight, so a log is
// never silent while a NAT gateway or a database takes minutes. Both end
// with the summary, the calls made and the slowest resources.
//
// # Interrupts
//
// SIGINT (Ctrl-C) and SIGTERM cancel the run's context: nothing new
// starts, the calls in flight are cancelled, and the run reports what was
// done, what was interrupted in flight (it may exist: the next run finds
// it by its tags and completes it) and what never started, which is not
// counted as failed. The exit status is then 130. A second signal ends
// the program at once. -timeout bounds a run the same way, with status 1.
//
// # JSON
//
// With -json the standard output carries only JSON documents, described by
// the JSON Schema schema.json of this package ([Schema]): the plan
// ([PlanDocument], with each change's field diffs and its values before
// and after), the result of an apply or a destroy ([ResultDocument], with
// every resource's status and time; a run on the fake writes three: the
// apply, the second apply and the destroy), the drift ([DriftDocument]),
// or the error ([ErrorDocument]). Progress and prompts go to the standard
// error.
//
// # Exit statuses
//
//	0    done; -plan: no change; -drift: no drift
//	1    an error: a bad flag, an architecture that does not build, a failed call, a plan not confirmed, data protected, the deployment locked, -timeout
//	2    -plan: changes to make; -drift: drift found
//	130  interrupted by SIGINT or SIGTERM
//
// # Tests
//
// [Target.Build] returns the Blueprint a first run applies, for matchers (package
// pattern/patterntest); [Command] runs the program on a driver the test
// holds:
//
//	d := fake.New()
//	code := (&deploy.Command{Architecture: shop, Driver: d}).Run(ctx, []string{"-cleanup=false"})
package deploy
