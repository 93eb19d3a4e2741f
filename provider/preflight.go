package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// ErrPreflight is matched with errors.Is by every problem the preflight
// reports: Plan, Apply and Drift refuse a Blueprint that the cloud would
// refuse, before any write. Each problem is a [*Problem] that also matches
// the sentinel of its code (driver.ErrInvalid or driver.ErrQuota).
var ErrPreflight = errors.New("provider: preflight")

// Problem is one thing the preflight found that the cloud would refuse:
// the resource, its field, what is wrong with the limit and where the
// limit comes from, and the fix. It prints as
//
//	provider: preflight: subnet/web/a: subnet.cidr: 10.0.0.0/30: prefix length /30 outside aws subnet bounds /16-/28 (profile aws, SubnetPrefix); use a /16 to /28 block
//
// and unwraps to [ErrPreflight] and to the sentinel of Code.
type Problem struct {
	// Resource is the logical id, "" for the deployment as a whole.
	Resource string `json:"resource,omitempty"`
	// Field is the spec field (JSON names): "subnet.cidr".
	Field string `json:"field,omitempty"`
	// Message says what is wrong, with the limit and its source.
	Message string `json:"message"`
	// Fix says what to change.
	Fix string `json:"fix,omitempty"`
	// Code is driver.Quota for a quota, driver.Invalid otherwise.
	Code driver.Code `json:"code"`
	// cause is the error the problem comes from, when it has one (a
	// *blueprint.DeploymentError): Unwrap returns it too.
	cause error
}

func (p *Problem) Error() string {
	if p == nil {
		return "provider: preflight: <nil Problem>"
	}
	field := p.Field
	if p.Resource != "" {
		field = strings.TrimSuffix(p.Resource+": "+field, ": ")
	}
	return (&netplan.FieldError{Package: "provider: preflight", Field: field, Problem: p.Message, Fix: p.Fix}).Error()
}

// Unwrap returns ErrPreflight and the sentinel of the problem's code.
func (p *Problem) Unwrap() []error {
	if p == nil {
		return nil
	}
	out := []error{ErrPreflight}
	if s := p.Code.Sentinel(); s != nil {
		out = append(out, s)
	}
	if p.cause != nil {
		out = append(out, p.cause)
	}
	return out
}

// checkDeployment returns the problem of a deployment name that
// blueprint.CheckDeployment refuses, or nil. The engine checks the name
// before anything else, before any call: the name selects what List
// finds, and AWS tag filters read '*' and '?' as wildcards.
func checkDeployment(name string) error {
	var de *blueprint.DeploymentError
	if !errors.As(blueprint.CheckDeployment(name), &de) {
		return nil
	}
	return &Problem{Field: "deployment", Message: fmt.Sprintf("%q: %s", name, de.Problem), Fix: de.Fix, Code: driver.Invalid, cause: de}
}

// preflight checks bp (adapted to the driver, zones mapped) against the
// driver before any write: the deployment name, every resource's values
// (blueprint.Resource.Check and the driver's own driver.Checker), and the
// whole Blueprint against the driver's Profile (prefix bounds, reserved
// addresses, private ranges, every quota) and its references (kinds, one
// Net, zones, unique names). It returns every problem at once.
func preflight(bp *blueprint.Blueprint, d driver.Driver) error {
	c := newChecker(bp, d.Profile())
	c.deployment()
	ck, _ := d.(driver.Checker)
	for i := range bp.Resources {
		r := &bp.Resources[i]
		c.values(r.ID, r.Check())
		if ck != nil {
			c.values(r.ID, ck.Check(bp.Deployment, *r))
		}
	}
	c.nets()
	c.subnets()
	c.gateways()
	c.peerings()
	c.vpns()
	c.routeTables()
	c.groups()
	c.networkACLs()
	c.services()
	c.quotas()
	return errors.Join(c.problems...)
}

// checker holds what the checks of one Blueprint share.
type checker struct {
	bp       *blueprint.Blueprint
	prof     netplan.Profile
	byID     map[string]*blueprint.Resource
	problems []error
}

func newChecker(bp *blueprint.Blueprint, prof netplan.Profile) *checker {
	c := &checker{bp: bp, prof: prof, byID: make(map[string]*blueprint.Resource, len(bp.Resources))}
	for i := range bp.Resources {
		c.byID[bp.Resources[i].ID] = &bp.Resources[i]
	}
	return c
}

// add records a problem of resource id.
func (c *checker) add(id string, code driver.Code, field, msg, fix string) {
	c.problems = append(c.problems, &Problem{Resource: id, Field: field, Message: msg, Fix: fix, Code: code})
}

// values records the problems of a resource's own values: each
// netplan.FieldError of err (what Resource.Check and the drivers return)
// becomes a Problem with its field, input and fix.
func (c *checker) values(id string, err error) {
	if err == nil {
		return
	}
	for _, e := range leaves(err) {
		var fe *netplan.FieldError
		if errors.As(e, &fe) {
			msg := fe.Problem
			if fe.Input != "" {
				msg = fe.Input + ": " + msg
			}
			c.add(id, driver.Invalid, fe.Field, msg, fe.Fix)
			continue
		}
		c.add(id, driver.Invalid, "", e.Error(), "")
	}
}

// leaves flattens the errors joined in err.
func leaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// maxTagValue is the longest tag value the engine may write: OUTSCALE
// takes 255 characters, AWS 256 (EC2 User Guide, tag restrictions).
const maxTagValue = 255

// deployment checks the deployment name (blueprint.CheckDeployment: its
// characters, its length, the wildcards of the clouds' tag filters), the
// one call site of the name rules in the preflight, and what the engine
// writes with it that depends on the resources: the Name tag
// "<deployment>-<id>" of each within maxTagValue. The engine has checked
// the name before any call already (checkDeployment); the preflight says
// it again for a caller that runs it on its own.
func (c *checker) deployment() {
	dep := c.bp.Deployment
	if err := checkDeployment(dep); err != nil {
		c.problems = append(c.problems, err)
		return
	}
	for _, r := range c.bp.Resources {
		if name := dep + "-" + strings.ReplaceAll(r.ID, "/", "-"); len(name) > maxTagValue {
			c.add(r.ID, driver.Invalid, "id", fmt.Sprintf("the Name tag %q has %d characters, more than %d", name[:32]+"...", len(name), maxTagValue),
				"use a shorter deployment or resource name")
		}
	}
}

// ref returns the resource ref names if it is of kind want; otherwise it
// records a problem (a missing one is Blueprint.Validate's) and returns
// nil.
func (c *checker) ref(r *blueprint.Resource, field string, ref blueprint.Ref, want blueprint.Kind) *blueprint.Resource {
	if ref == "" {
		return nil
	}
	t, ok := c.byID[string(ref)]
	if !ok {
		return nil
	}
	if t.Kind != want {
		c.add(r.ID, driver.Invalid, field, fmt.Sprintf("%s is a %s, not a %s", ref, t.Kind, want), "name a "+string(want))
		return nil
	}
	return t
}

// netOf returns the logical id of the Net r lives in, or "".
func (c *checker) netOf(r *blueprint.Resource) string {
	var via blueprint.Ref
	switch r.Kind {
	case blueprint.KindNet:
		return r.ID
	case blueprint.KindSubnet:
		return string(r.Subnet.Net)
	case blueprint.KindInternetGateway:
		return string(r.InternetGateway.Net)
	case blueprint.KindVPNGateway:
		return string(r.VPNGateway.Net)
	case blueprint.KindVPNConnection:
		via = r.VPNConnection.VPNGateway
	case blueprint.KindRouteTable:
		return string(r.RouteTable.Net)
	case blueprint.KindSecurityGroup:
		return string(r.SecurityGroup.Net)
	case blueprint.KindNetworkACL:
		return string(r.NetworkACL.Net)
	case blueprint.KindNATGateway:
		via = r.NATGateway.Subnet
	case blueprint.KindSecurityGroupRules:
		via = r.SecurityGroupRules.Group
	case blueprint.KindLoadBalancer:
		via = first(r.LoadBalancer.Subnets)
	case blueprint.KindCluster:
		via = first(r.Cluster.Subnets)
	case blueprint.KindDatabase:
		via = first(r.Database.Subnets)
	case blueprint.KindDatabaseReplica:
		via = r.DatabaseReplica.Source
	case blueprint.KindCache:
		via = first(r.Cache.Subnets)
	case blueprint.KindBroker:
		via = first(r.Broker.Subnets)
	}
	if t, ok := c.byID[string(via)]; ok && t != r {
		return c.netOf(t)
	}
	return ""
}

func first(refs []blueprint.Ref) blueprint.Ref {
	if len(refs) == 0 {
		return ""
	}
	return refs[0]
}

// sameNet records a problem when t, named by field of r, lives in another
// Net than net.
func (c *checker) sameNet(r *blueprint.Resource, field string, t *blueprint.Resource, net string) {
	if t == nil || net == "" {
		return
	}
	if n := c.netOf(t); n != "" && n != net {
		c.add(r.ID, driver.Invalid, field, fmt.Sprintf("%s is in net %s, not %s", t.ID, n, net), "use resources of one net")
	}
}

// ofKind returns the resources of kind k, in Blueprint order.
func (c *checker) ofKind(k blueprint.Kind) []*blueprint.Resource {
	var out []*blueprint.Resource
	for i := range c.bp.Resources {
		if c.bp.Resources[i].Kind == k {
			out = append(out, &c.bp.Resources[i])
		}
	}
	return out
}

// quota records a quota problem when n exceeds a known quota q.
func (c *checker) quota(id, field string, n, q int, what, name, fix string) {
	if q > 0 && n > q {
		c.add(id, driver.Quota, field, fmt.Sprintf("%d %s, over the %s quota of %d (profile %s, Quotas.%s)", n, what, c.prof.Name, q, c.prof.Name, name), fix)
	}
}
