package provider_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// Plan is the dry run: it lists what Apply would do, without a write call.
func ExampleEngine_Plan() {
	ctx := context.Background()
	eng := provider.NewEngine(fake.New()) // a local driver: no options needed
	cs, err := eng.Plan(ctx, webApp("site"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(cs)
	// Output:
	// Plan for site on fake: 12 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged.
	// + create net/main
	// + create subnet/web/a
	// + create subnet/web/b
	// + create internet_gateway/main
	// + create route_table/web/a
	// + create route_table/web/b
	// + create security_group/lb
	// + create security_group/web
	// + create security_group_rules/lb
	// + create security_group_rules/web
	// + create load_balancer/web
	// + create cluster/web
}

// Apply, then change the Blueprint: the plan shows field-level diffs, and
// an apply of an unchanged Blueprint makes no write call.
func ExampleEngine_Apply() {
	ctx := context.Background()
	d := fake.New()
	eng := provider.NewEngine(d) // the fake is local: no rate limit, millisecond polls
	bp := webApp("site")
	res, err := eng.Apply(ctx, bp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Created, "created,", res.WriteCalls, "write calls")

	res, err = eng.Apply(ctx, bp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Unchanged, "unchanged,", res.WriteCalls, "write calls")

	for i, r := range bp.Resources {
		switch r.ID {
		case "security_group_rules/web":
			bp.Resources[i].SecurityGroupRules.Inbound = append(r.SecurityGroupRules.Inbound, tcp(9090, "security_group/lb"))
		case "cluster/web":
			bp.Resources[i].Cluster.Desired = 4
		}
	}
	cs, err := eng.Plan(ctx, bp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(cs)
	// Output:
	// 12 created, 12 write calls
	// 12 unchanged, 0 write calls
	// Plan for site on fake: 0 to create, 2 to update, 0 to replace, 0 to delete, 10 unchanged.
	// ~ update security_group_rules/web: inbound: + tcp 9090 from security_group/lb
	// ~ update cluster/web: desired: 3 -> 4
}

// A driver without managed databases or network ACLs refuses such
// a Blueprint before any call, saying how to fix it.
func ExampleOptions_allowFallback() {
	ctx := context.Background()
	d := fake.New(fake.Outscale)
	bp := threeTier("shop", "")
	_, err := provider.NewEngine(d).Plan(ctx, bp)
	fmt.Println(err)

	eng := provider.NewEngine(d, func(o *provider.Options) {
		o.AllowFallback = true
		o.OnEvent = func(ev provider.Event) {
			if ev.Type == provider.EventNotice {
				fmt.Println("notice:", ev.Message)
			}
		}
	})
	if _, err := eng.Apply(ctx, bp, func(o *provider.ApplyOptions) { o.DryRun = true }); err != nil {
		log.Fatal(err)
	}
	// Output:
	// provider: database/db: database not supported by fake (OUTSCALE has no managed database; use the database's cluster fallback); set a fallback cluster and AllowFallback=true: not supported by this provider
	// provider: network_acl/db: network_acl not supported by fake (OUTSCALE has no network ACL; enforce with security groups); set AllowFallback to rely on the security groups, which enforce the same flows: not supported by this provider
	// notice: database/db: fake has no managed database (OUTSCALE has no managed database; use the database's cluster fallback); built as a 2-node db cluster instead
	// notice: network_acl/db: dropped: fake has no network ACLs (OUTSCALE has no network ACL; enforce with security groups); the security groups already enforce the same flows
}

// Destroy deletes everything tagged with the deployment, in reverse
// dependency order, and checks that nothing is left.
func ExampleEngine_Destroy() {
	ctx := context.Background()
	d := fake.New()
	eng := provider.NewEngine(d)
	if _, err := eng.Apply(ctx, webApp("site")); err != nil {
		log.Fatal(err)
	}
	res, err := eng.Destroy(ctx, "site")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Deleted, "deleted;", len(d.Resources()), "left")
	// Output:
	// 12 deleted; 0 left
}

// The Renderer prints one line per step; here only the failures and the
// summary are kept, since the order of parallel steps varies.
func ExampleRenderer() {
	r := provider.NewRenderer(os.Stdout)
	r.Handle(provider.Event{Type: provider.EventNotStarted, Kind: blueprint.KindCluster, ID: "cluster/web", Action: provider.ActionCreate,
		Message: "depends on load_balancer/web, which failed"})
	r.Handle(provider.Event{Type: provider.EventComplete, Message: "Apply failed: 10 created, 0 updated, 0 replaced, 0 deleted in 1.2s (1 failed, 1 not started)"})
	// Output:
	// + cluster/web: not started: depends on load_balancer/web, which failed
	// Apply failed: 10 created, 0 updated, 0 replaced, 0 deleted in 1.2s (1 failed, 1 not started)
}

// A change that would replace a database is refused before any write,
// naming what forces it and the opt-in; named in AllowDataLoss, it goes
// ahead, the new database made before the old one goes with a final
// snapshot.
func ExampleApplyOptions_allowDataLoss() {
	ctx := context.Background()
	d := fake.New()
	eng := provider.NewEngine(d) // a local driver: no options needed
	bp := threeTier("shop", "")
	if _, err := eng.Apply(ctx, bp); err != nil {
		log.Fatal(err)
	}
	db, _ := bp.Resource("database/db")
	db.Database.Engine = "mysql" // RDS changes no engine in place
	_, err := eng.Apply(ctx, bp)
	fmt.Println(errors.Is(err, provider.ErrProtected))
	fmt.Println(err)

	res, err := eng.Apply(ctx, bp, func(o *provider.ApplyOptions) { o.AllowDataLoss = []string{"database/db"} })
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Replaced, "replaced;", len(d.DeletedDatabases()), "final snapshot taken")
	// Output:
	// true
	// provider: apply refused: it would lose the data of 1 stateful resource(s):
	//   database/db: replace, forced by engine (postgres -> mysql); allow it with ApplyOptions.AllowDataLoss = []string{"database/db"}
	// 1 replaced; 1 final snapshot taken
}

// Two runs of one deployment at once: the second finds the lock of the
// first and fails at once with ErrLocked, naming the holder; once the
// first releases it, the deployment can be applied.
func ExampleEngine_Lock() {
	ctx := context.Background()
	d := fake.New()
	eng := provider.NewEngine(d)        // a local driver: no options needed
	lease, err := eng.Lock(ctx, "site") // another run, holding the deployment
	if err != nil {
		log.Fatal(err)
	}
	_, err = eng.Apply(ctx, webApp("site"))
	var locked *provider.LockedError
	fmt.Println(errors.Is(err, provider.ErrLocked), errors.As(err, &locked) && locked.Lock.Holder == lease.Lock().Holder)
	fmt.Println(d.Counts().Writes, "writes")

	if err := lease.Release(ctx); err != nil {
		log.Fatal(err)
	}
	res, err := eng.Apply(ctx, webApp("site"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Created, "created;", len(d.Locks()), "lock left")
	// Output:
	// true true
	// 0 writes
	// 12 created; 0 lock left
}
