package archkit_test

import (
	"context"
	"fmt"
	"log"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// The quick start of the README: seed 000's three tiers, built, checked
// and applied to the in-memory fake, then applied again with no change.
func Example() {
	ctx := context.Background()
	arch := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS})
	bp, err := arch.Build() // pure: addresses, rules, routes, lint; no I/O
	if err != nil {
		log.Fatal(err) // every problem at once, each naming the field to change
	}
	d := fake.New()              // or aws.New(ctx) / outscale.New()
	eng := provider.NewEngine(d) // the fake is local: fast without options
	res, err := eng.Apply(ctx, bp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Created, "created with", res.WriteCalls, "writes")

	res, err = eng.Apply(ctx, bp) // the cloud is the state: nothing to do
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Unchanged, "unchanged with", res.WriteCalls, "writes")

	for _, from := range []string{"intel", "nginx"} {
		ok, why, err := d.Allows("security_group/"+from, "security_group/db", netplan.ProtocolTCP, 3306)
		if err != nil {
			log.Fatal(err)
		}
		if ok {
			why = "allowed"
		}
		fmt.Printf("%s -> db on 3306: %s\n", from, why)
	}
	// Output:
	// 26 created with 26 writes
	// 26 unchanged with 0 writes
	// intel -> db on 3306: allowed
	// nginx -> db on 3306: no inbound rule of security_group/db admits tcp/3306 from group security_group/nginx
}
