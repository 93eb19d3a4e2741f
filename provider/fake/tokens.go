package fake

import (
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// takesToken reports whether the cloud's create call of kind k takes a
// client token (Options.ClientTokens).
func (d *Driver) takesToken(k blueprint.Kind) bool { return slices.Contains(d.opts.ClientTokens, k) }

// earlier returns the provider id of the resource an earlier Create of req
// made, found by its tags as a driver finds it before creating: same kind,
// deployment, logical id and token tag (so that a replacement, a new life
// with a new token, never takes the resource it replaces). "" when none.
// It looks among the resources of that logical id only (the index), not
// the whole kind: an apply stays linear in its resources.
func (d *Driver) earlier(req driver.Request) string {
	r := req.Resource
	var found []string
	for _, e := range d.tagged(r.Kind, r.ID) {
		if e.tags[driver.TagDeployment] == req.Deployment && e.tags[driver.TagToken] == req.Tags[driver.TagToken] {
			found = append(found, e.id)
		}
	}
	if len(found) == 0 {
		return ""
	}
	return slices.MinFunc(found, compareIDs)
}

// byToken answers a Create of a kind that takes a client token with the
// resource its Token made before: the live one, or the deleted one, not
// ready, with Status "deleted". ok is false when the token is new or the
// kind takes none.
func (d *Driver) byToken(req driver.Request) (o driver.Observed, ok bool, err error) {
	r := req.Resource
	if req.Token == "" || !d.takesToken(r.Kind) {
		return driver.Observed{}, false, nil
	}
	id, seen := d.tokens[req.Token]
	if !seen {
		return driver.Observed{}, false, nil
	}
	var origin blueprint.Resource
	if e, live := d.res[id]; live {
		o, origin = e.observed(), *e.created()
	} else {
		o = d.gone[id]
		origin = o.Resource
	}
	if !sameSpec(origin, r) {
		return driver.Observed{ID: id}, true, d.errf(OpCreate, r.Kind, id, driver.Invalid,
			"client token %q was used for a different request (idempotent parameter mismatch); use a new token", req.Token)
	}
	return o, true, nil
}
