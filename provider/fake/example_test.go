package fake_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// deployNet is the user's own deploy code under test: it creates a Net and
// one subnet per zone, tagged so that they can be found again.
func deployNet(ctx context.Context, d driver.Driver, deployment string) error {
	zones, err := d.Zones(ctx)
	if err != nil {
		return err
	}
	tags := func(id string) map[string]string {
		return map[string]string{driver.TagDeployment: deployment, driver.TagLogicalID: id}
	}
	net, err := d.Create(ctx, driver.Request{
		Deployment: deployment,
		Resource:   blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}},
		Token:      driver.Token(deployment, "net/main", ""),
		Tags:       tags("net/main"),
	})
	if err != nil {
		return err
	}
	for i, z := range zones[:2] {
		id := fmt.Sprintf("subnet/web/%c", 'a'+i)
		_, err := d.Create(ctx, driver.Request{
			Deployment: deployment,
			Resource: blueprint.Resource{ID: id, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
				Net: blueprint.Ref(net.ID), CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i), 0}), 24), Zone: z, Tier: "web"}},
			Token: driver.Token(deployment, id, ""),
			Tags:  tags(id),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Example tests deploy code against the fake: run it, look at what it
// made, then run it again after an injected failure.
func Example() {
	ctx := context.Background()
	d := fake.New()
	if err := deployNet(ctx, d, "shop"); err != nil {
		log.Fatal(err)
	}
	snap := d.Snapshot("shop")
	fmt.Println(snap.IDs(blueprint.KindSubnet))
	fmt.Println(snap[blueprint.KindSubnet]["subnet/web/b"].Subnet.Net) // refs as logical ids
	fmt.Println(d.Counts().Writes, "writes")

	// The second write fails: the run stops; a second run converges without
	// duplicates because every Create carries its token.
	d = fake.New()
	d.FailWrite(2, driver.Unavailable)
	err := deployNet(ctx, d, "shop")
	fmt.Println(errors.Is(err, driver.ErrUnavailable), driver.IsRetryable(err))
	if err := deployNet(ctx, d, "shop"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(d.Snapshot("shop")[blueprint.KindNet]), "net,", d.Snapshot("shop").Count(blueprint.KindSubnet), "subnets")

	// Output:
	// [subnet/web/a subnet/web/b]
	// net/main
	// 3 writes
	// true true
	// 1 net, 2 subnets
}

// ExampleDriver_Delete shows a delete refused because something archkit
// does not own is still in the subnet.
func ExampleDriver_Delete() {
	ctx := context.Background()
	d := fake.New(fake.Outscale)
	if err := deployNet(ctx, d, "shop"); err != nil {
		log.Fatal(err)
	}
	subnets, err := d.List(ctx, driver.Query{Deployment: "shop", Kind: blueprint.KindSubnet})
	if err != nil {
		log.Fatal(err)
	}
	vm, err := d.AddForeign("instance", subnets[0].ID)
	if err != nil {
		log.Fatal(err)
	}
	err = d.Delete(ctx, subnets[0], driver.DeleteOptions{})
	var pe *driver.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Code, pe.Blockers[0].Kind, pe.Blockers[0].ID == vm)
	}
	// Output:
	// dependency instance true
}

// ExampleAssertAllows checks the security groups a deploy made.
func ExampleAssertAllows() {
	ctx := context.Background()
	d := fake.New()
	tags := func(id string) map[string]string {
		return map[string]string{driver.TagDeployment: "shop", driver.TagLogicalID: id}
	}
	net, _ := d.Create(ctx, driver.Request{Resource: blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet,
		Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}}, Tags: tags("net/main")})
	group := func(name string) string {
		o, err := d.Create(ctx, driver.Request{Resource: blueprint.Resource{ID: "security_group/" + name, Kind: blueprint.KindSecurityGroup,
			SecurityGroup: &blueprint.SecurityGroupSpec{Net: blueprint.Ref(net.ID), Name: name, Description: name}}, Tags: tags("security_group/" + name)})
		if err != nil {
			log.Fatal(err)
		}
		return o.ID
	}
	lb, web := group("lb"), group("web")
	_, err := d.Create(ctx, driver.Request{Resource: blueprint.Resource{ID: "security_group_rules/web", Kind: blueprint.KindSecurityGroupRules,
		SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{Group: blueprint.Ref(web),
			Inbound: []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: blueprint.Ref(lb)}}}}})
	if err != nil {
		log.Fatal(err)
	}
	t := &printT{}
	fmt.Println(fake.AssertAllows(t, d, "security_group/lb", "security_group/web", "tcp", 8080))
	fmt.Println(fake.AssertAllows(t, d, "security_group/lb", "security_group/web", "tcp", 22))
	// Output:
	// true
	// fake: security_group/lb cannot reach security_group/web on tcp/22: no inbound rule of security_group/web admits tcp/22 from group security_group/lb
	// false
}

// printT prints failures; in a test, pass t.
type printT struct{}

func (printT) Helper()                           {}
func (printT) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
