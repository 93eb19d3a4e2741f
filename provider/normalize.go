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
		imageRef(c.Cluster, ref)
		if c.Database != nil {
			imageRef(c.Database.Fallback, ref)
		}
	}
	c.Normalize()
	c.DropFallback()
	return c
}

// imageRef maps the image a cluster's nodes start from like a reference:
// a driver reads back the image id its nodes run, which for a cluster
// started from an image copy is the copy's id, that ref maps to the
// copy's logical id, the one the desired cluster names (ImageCopy, which
// Normalize folds into Image). An image that is no resource of the
// deployment maps to itself.
func imageRef(s *blueprint.ClusterSpec, ref func(blueprint.Ref) blueprint.Ref) {
	if s != nil && s.Image != "" && s.ImageCopy == "" {
		s.Image = string(ref(blueprint.Ref(s.Image)))
	}
}
