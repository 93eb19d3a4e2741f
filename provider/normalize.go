package provider

import (
	"github.com/archkit/archkit/pattern/blueprint"
)

// normalize returns a copy of r in canonical form for comparison
// ([blueprint.Resource.Normalize]), refs mapped through ref (nil:
// unchanged) before the lists are sorted, and a database's or a cache's
// fallback dropped: it tells the engine what to build on a cloud without
// the managed service and is no property of the service in the cloud (a
// driver never reads it back), so changing it changes nothing.
func normalize(r blueprint.Resource, ref func(blueprint.Ref) blueprint.Ref) blueprint.Resource {
	c := r.Clone()
	if ref != nil {
		for _, p := range c.Refs() {
			if *p != "" {
				*p = ref(*p)
			}
		}
	}
	c.Normalize()
	c.DropFallback()
	return c
}
