package fake

import (
	"fmt"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// TestingT is the part of *testing.T the assertions use; testify's
// require.TestingT and assert.TestingT values fit as well.
type TestingT interface {
	Helper()
	Errorf(format string, args ...any)
}

// AssertAllows checks that members of security group from may reach
// members of group to, or the internet ("internet") or a CIDR block, on
// proto and port, through the security groups, the routes, the NAT
// gateways and every network ACL on the way, as AWS decides it (see
// [Driver.Allows]); from and to are logical ids ("security_group/web") or
// provider ids. It reports a failure with the reason (the ACL, the
// direction and the entry that drops the traffic) and returns false when
// they may not.
//
//	fake.AssertAllows(t, d, "security_group/lb", "security_group/web", "tcp", 8080)
//	fake.AssertAllows(t, d, "security_group/app", "internet", "tcp", 443)
func AssertAllows(t TestingT, d *Driver, from, to string, proto netplan.Protocol, port uint16) bool {
	if badArgs(t, d) {
		return false
	}
	t.Helper()
	ok, why, err := d.Allows(from, to, proto, port)
	if err != nil {
		t.Errorf("fake: AssertAllows %s -> %s %s/%d: %v", from, to, proto, port, err)
		return false
	}
	if !ok {
		t.Errorf("fake: %s cannot reach %s on %s/%d: %s", from, to, proto, port, why)
	}
	return ok
}

// AssertDenies checks that members of group from may not reach members of
// group to on proto and port.
func AssertDenies(t TestingT, d *Driver, from, to string, proto netplan.Protocol, port uint16) bool {
	if badArgs(t, d) {
		return false
	}
	t.Helper()
	ok, _, err := d.Allows(from, to, proto, port)
	if err != nil {
		t.Errorf("fake: AssertDenies %s -> %s %s/%d: %v", from, to, proto, port, err)
		return false
	}
	if ok {
		t.Errorf("fake: %s can reach %s on %s/%d; want it denied", from, to, proto, port)
	}
	return !ok
}

// AssertCount checks that the Driver holds exactly n resources of kind k,
// whatever their tags.
func AssertCount(t TestingT, d *Driver, k blueprint.Kind, n int) bool {
	if badArgs(t, d) {
		return false
	}
	t.Helper()
	var ids []string
	for _, o := range d.Resources() {
		if o.Resource.Kind == k {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) != n {
		t.Errorf("fake: %d %s resource(s) %v; want %d", len(ids), k, ids, n)
		return false
	}
	return true
}

// AssertNoLeaks checks that no resource tagged with deployment is left,
// for the end of a destroy test, and names those that are.
func AssertNoLeaks(t TestingT, d *Driver, deployment string) bool {
	if badArgs(t, d) {
		return false
	}
	t.Helper()
	var left []string
	for _, o := range d.Resources() {
		if o.Tags[driver.TagDeployment] == deployment {
			left = append(left, fmt.Sprintf("%s %s (%s)", o.Resource.Kind, o.ID, o.LogicalID))
		}
	}
	if len(left) > 0 {
		t.Errorf("fake: deployment %q leaked %d resource(s):\n\t%s", deployment, len(left), strings.Join(left, "\n\t"))
		return false
	}
	return true
}

// AssertExists checks that deployment has a resource with logical id
// logicalID, and returns it.
func AssertExists(t TestingT, d *Driver, deployment, logicalID string) (driver.Observed, bool) {
	if badArgs(t, d) {
		return driver.Observed{}, false
	}
	t.Helper()
	for _, o := range d.Resources() {
		if o.Tags[driver.TagDeployment] == deployment && o.LogicalID == logicalID {
			return o, true
		}
	}
	t.Errorf("fake: deployment %q has no resource %q", deployment, logicalID)
	return driver.Observed{}, false
}

// badArgs reports a nil t or d: with a nil t nothing can be reported, a
// nil d fails the assertion.
func badArgs(t TestingT, d *Driver) bool {
	switch {
	case t == nil:
		return true
	case d == nil:
		t.Helper()
		t.Errorf("fake: nil *Driver; make one with fake.New")
		return true
	}
	return false
}
