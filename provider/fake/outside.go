package fake

import (
	"maps"
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Mutate changes resource id behind archkit's back, as someone editing it
// in the console would, for drift tests. fn receives a copy of the stored
// resource, Refs as provider ids; the result is stored without validation,
// but its kind cannot change. Mutate is not recorded in the call log.
//
//	d.Mutate(id, func(r *blueprint.Resource) { r.Cluster.Desired = 5 })
func (d *Driver) Mutate(id string, fn func(r *blueprint.Resource)) error {
	if !d.usable() {
		return errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, err := d.lookup("Mutate", "", id)
	if err != nil {
		return err
	}
	r := e.res.Clone()
	fn(&r)
	if r.Kind != e.kind || r.Spec() == nil {
		return d.errf("Mutate", e.kind, id, driver.Invalid, "the kind and its spec cannot change")
	}
	d.indexRemove(e)
	e.origin = e.created()
	e.res = r
	d.indexAdd(e)
	return nil
}

// MutateTags changes the tags of resource id behind archkit's back, for
// tests of discovery: removing the ownership tags hides a resource from
// List.
func (d *Driver) MutateTags(id string, fn func(tags map[string]string)) error {
	if !d.usable() {
		return errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, err := d.lookup("MutateTags", "", id)
	if err != nil {
		return err
	}
	d.indexRemove(e)
	fn(e.tags)
	d.indexAdd(e)
	return nil
}

// DeleteOutside deletes resource id behind archkit's back, skipping the
// dependency checks, for drift tests. It is not recorded in the call log.
// Like AWS, it refuses a load balancer with deletion protection
// (LoadBalancerSpec.AllowDeletion false, the default): archkit's Delete
// lifts the protection first when its options say so
// (driver.DeleteOptions.LiftProtection), as the AWS driver does.
func (d *Driver) DeleteOutside(id string) error {
	if !d.usable() {
		return errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, err := d.lookup("DeleteOutside", "", id)
	if err != nil {
		return err
	}
	if e.kind == blueprint.KindLoadBalancer && d.protected(e) {
		return d.errf("DeleteOutside", e.kind, id, driver.Invalid,
			"load balancer %s has deletion protection (OperationNotPermitted); turn deletion_protection.enabled off first", id)
	}
	d.remove(e)
	return nil
}

// AddForeign adds, in subnet subnetID, a resource that archkit does not own
// and cannot see (no tags): a hand-made "instance" or a stray
// "network_interface". It blocks the deletion of the subnet and of its Net
// (Code Dependency, named in the error's Blockers) until
// [Driver.RemoveForeign]. It returns the foreign resource's id.
func (d *Driver) AddForeign(kind, subnetID string) (string, error) {
	if !d.usable() {
		return "", errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.lookup("AddForeign", blueprint.KindSubnet, subnetID); err != nil {
		return "", err
	}
	prefix := map[string]string{"instance": "i", "network_interface": "eni"}[kind]
	if prefix == "" {
		prefix = "res"
	}
	d.seq++
	id := d.idWith(prefix, mix(d.seq))
	d.foreign[id] = foreign{kind: kind, subnet: subnetID}
	return id, nil
}

// RemoveForeign removes a resource added by [Driver.AddForeign].
func (d *Driver) RemoveForeign(id string) error {
	if !d.usable() {
		return errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.foreign[id]; !ok {
		return d.errf("RemoveForeign", "", id, driver.NotFound, "no foreign resource %s", id)
	}
	delete(d.foreign, id)
	return nil
}

// Resources returns every resource the Driver holds, whatever its tags,
// in the creation order of the kinds ([blueprint.Kinds]) and then by id. It
// is not recorded in the call log.
func (d *Driver) Resources() []driver.Observed {
	if !d.usable() {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []driver.Observed
	for _, k := range blueprint.Kinds {
		for _, e := range d.others(k, nil) {
			out = append(out, e.observed())
		}
	}
	return out
}

// resolve finds a resource of kind k by provider id or by logical id; a
// logical id used in several deployments is ambiguous.
func (d *Driver) resolve(k blueprint.Kind, name string) (string, error) {
	if e, ok := d.res[name]; ok && e.kind == k {
		return e.id, nil
	}
	var ids []string
	for _, e := range d.res {
		if e.kind == k && e.tags[driver.TagLogicalID] == name {
			ids = append(ids, e.id)
		}
	}
	switch len(ids) {
	case 0:
		return "", d.errf("resolve", k, name, driver.NotFound, "no %s with id or logical id %q", k, name)
	case 1:
		return ids[0], nil
	}
	slices.Sort(ids)
	return "", d.errf("resolve", k, name, driver.Invalid, "logical id %q names %d resources (%v); use a provider id", name, len(ids), ids)
}

// Snapshot is the state of one deployment: per kind, its resources by
// logical id. Refs to resources of the same deployment hold their logical
// ids, so a Snapshot does not depend on the provider ids the fake handed
// out and compares with [blueprint.Blueprint.OfKind] or another Snapshot:
//
//	before := d.Snapshot("shop")
//	// ... apply again ...
//	assert.Equal(t, before, d.Snapshot("shop"))
//
// A resource without a logical id tag is keyed by its provider id.
type Snapshot map[blueprint.Kind]map[string]blueprint.Resource

// Snapshot returns the resources tagged with deployment. It is not recorded
// in the call log.
func (d *Driver) Snapshot(deployment string) Snapshot {
	if !d.usable() {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	logical := map[string]string{}
	for _, e := range d.res {
		if e.tags[driver.TagDeployment] == deployment && !e.gone() {
			logical[e.id] = e.tags[driver.TagLogicalID]
			if logical[e.id] == "" {
				logical[e.id] = e.id
			}
		}
	}
	s := Snapshot{}
	for id, lid := range logical {
		e := d.res[id]
		r := e.res.Clone()
		r.ID = lid
		r.DependsOn = nil
		for _, ref := range r.Refs() {
			if l, ok := logical[string(*ref)]; ok {
				*ref = blueprint.Ref(l)
			}
		}
		if s[e.kind] == nil {
			s[e.kind] = map[string]blueprint.Resource{}
		}
		s[e.kind][lid] = r
	}
	return s
}

// Count returns the number of resources of kind k, whatever their tags.
func (s Snapshot) Count(k blueprint.Kind) int { return len(s[k]) }

// IDs returns the logical ids of the kind k resources, sorted.
func (s Snapshot) IDs(k blueprint.Kind) []string { return slices.Sorted(maps.Keys(s[k])) }
