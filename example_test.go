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

// The quick start of the README: the three-tier Net, built, checked and
// applied to the in-memory fake, then applied again with no change, then
// grown by a zone without moving a deployed subnet.
func Example() {
	ctx := context.Background()
	arch := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS})
	if _, err := arch.Build(); err != nil { // pure: addresses, rules, routes, lint; no I/O
		log.Fatal(err) // every problem at once, each naming the field to change
	}
	d := fake.New()                  // or aws.New(ctx) / outscale.New()
	eng := provider.NewEngine(d)     // the fake is local: fast without options
	res, err := eng.Apply(ctx, arch) // built around what is deployed: nothing yet
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Created, "created with", res.WriteCalls, "writes")

	res, err = eng.Apply(ctx, arch) // the cloud is the state: nothing to do
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Unchanged, "unchanged with", res.WriteCalls, "writes")

	arch.Zones = []string{"a", "b", "c"} // the deployed subnets keep their addresses
	cs, err := eng.Plan(ctx, arch)
	if err != nil {
		log.Fatal(err)
	}
	n := cs.Counts()
	fmt.Println(n[provider.ActionCreate], "to create,", n[provider.ActionUpdate], "to update in place,", n[provider.ActionReplace], "to replace")

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
	// 27 created with 27 writes
	// 27 unchanged with 0 writes
	// 6 to create, 6 to update in place, 0 to replace
	// intel -> db on 3306: allowed
	// nginx -> db on 3306: no inbound rule of security_group/db admits tcp/3306 from group security_group/nginx
}
