// Command testing is a deploy program of the kind a team writes for its own
// service, and main_test.go shows how to unit-test it without a cloud
// account: against provider/fake, the in-memory driver that behaves like
// the clouds, with injected failures and throttling.
//
// The program declares its architecture with the typed builders (a public
// load balancer in front of an "api" cluster, a PostgreSQL database the
// api alone reaches, HTTPS out to a payment provider) and applies it with
// the engine:
//
//	go run ./examples/testing                      # on the fake
//	go run ./examples/testing -plan                # what an apply would change
//	go run ./examples/testing -json                # the Blueprint, as JSON
//	go run ./examples/testing -provider aws -region eu-west-3 -image ami-0123abcd
//	go test ./examples/testing                     # the tests to copy
//
// Copy deploy and destroy into your program, and main_test.go next to it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/examples/internal/cli"
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/tier"
)

func main() {
	name := flag.String("name", "shop", "the deployment name, the ownership tag of every resource")
	flags := cli.Parse()
	ctx := context.Background()

	// -json and -plan only show things: the shared helper does them.
	if flags.JSON || flags.Plan {
		if err := cli.Run(ctx, os.Stdout, flags, architecture(*name, flags.Image, flags.NetProfile())); err != nil {
			log.Fatal(err)
		}
		return
	}

	d, err := flags.Driver(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var opts []func(*provider.Options)
	if flags.Provider == cli.Fake {
		// The fake answers at once: no rate limit, fast polls.
		opts = append(opts, func(o *provider.Options) {
			o.RateLimit = -1
			o.PollMin, o.PollMax = time.Millisecond, 10*time.Millisecond
		})
	}
	if flags.Destroy {
		// The database goes only when -allow-data-loss names it.
		if err := destroy(ctx, d, os.Stdout, *name, flags.AllowDataLoss, opts...); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := deploy(ctx, d, os.Stdout, *name, flags.Image, opts...); err != nil {
		log.Fatal(err)
	}
	// The fake forgets everything when the program ends; show the teardown
	// too, unless -keep.
	if flags.Provider == cli.Fake && !flags.Keep {
		if err := destroy(ctx, d, os.Stdout, *name, []string{"database/db"}, opts...); err != nil {
			log.Fatal(err)
		}
	}
}

// architecture is the service: a public load balancer "front" in the edge
// subnets forwarding HTTP to the api cluster on 8080, the api talking to
// PostgreSQL and, through a NAT, to a payment provider on tcp/443. The
// builders validate nothing: Build reports every problem at once.
func architecture(name, image string, profile netplan.Profile) *pattern.Architecture {
	api := tier.NewCluster("api", image, "t3.small")
	api.Min, api.Desired, api.Max = 2, 2, 4

	db := tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")
	db.MultiAZ = true
	db.BackupRetentionDays = 7

	arch := pattern.New(name, "10.20.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("api"), tier.PostgreSQL("db")).
		AddLB(tier.PublicLB("front", "edge", "api", 8080)).
		AddCluster(api).
		AddDatabase(db).
		Connect("api", "db").
		Flow("api -> internet tcp/443 # the payment provider")
	arch.Profile = profile
	return arch
}

// deploy builds the architecture for d's cloud and applies it, printing
// progress to out. It is safe to run again: an unchanged architecture makes
// no write call, and a run that failed half-way is completed, not
// duplicated. engineOpts adjust the engine (tests make it faster).
//
// The engine builds the architecture around what is deployed: subnets that
// exist keep their addresses whatever tiers or zones are added, and an
// apply that would delete or replace the database is refused.
func deploy(ctx context.Context, d driver.Driver, out io.Writer, name, image string, engineOpts ...func(*provider.Options)) error {
	eng := newEngine(d, out, engineOpts)
	res, err := eng.Apply(ctx, architecture(name, image, d.Profile()))
	if err != nil {
		return fmt.Errorf("deploy %s: %w", name, err)
	}
	fmt.Fprintf(out, "deployed %s on %s: %d created, %d updated, %d unchanged, %d write calls\n",
		name, d.Name(), res.Created, res.Updated, res.Unchanged, res.WriteCalls)
	return nil
}

// destroy deletes every resource of the deployment name; the stateful
// ones (the database) only when allowDataLoss names them, and then with a
// final snapshot.
func destroy(ctx context.Context, d driver.Driver, out io.Writer, name string, allowDataLoss []string, engineOpts ...func(*provider.Options)) error {
	res, err := newEngine(d, out, engineOpts).Destroy(ctx, name, func(o *provider.DestroyOptions) { o.AllowDataLoss = allowDataLoss })
	if err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	fmt.Fprintf(out, "destroyed %s on %s: %d deleted\n", name, d.Name(), res.Deleted)
	return nil
}

func newEngine(d driver.Driver, out io.Writer, engineOpts []func(*provider.Options)) *provider.Engine {
	return provider.NewEngine(d, append([]func(*provider.Options){func(o *provider.Options) {
		o.OnEvent = provider.NewRenderer(out).Handle
	}}, engineOpts...)...)
}
