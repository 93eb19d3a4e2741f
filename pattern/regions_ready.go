package pattern

import "maps"

// Recovery is the recovery-region option of the ready patterns
// ([ThreeTierRecovery], [WebAppRecovery], [ElasticRecovery]): the
// pattern in its primary region, and again, at the posture asked, in a
// recovery region, each Net carved from Supernet.
//
// The three-tier document asks for Nets in several regions, the elastic
// platform document for redundancy over several regions; the AWS migration
// document's web app gets the same option.
type Recovery struct {
	// Primary is the primary region ("eu-west-2").
	Primary string
	// Region is the recovery region, with its posture (PilotLight or
	// WarmStandby) and, for a warm standby, its Nodes.
	Region Region
	// Supernet is the range the Nets are carved from; "": "10.0.0.0/8".
	Supernet string
	// Bits is the prefix length of each Net; 0: 16.
	Bits int
	// Images maps, by region, an image of the pattern's options to the
	// region's own copy (an AMI or OMI id is valid in one region only):
	// Images["us-west-2"]["ami-0abc"] = "ami-0def". An image without an
	// entry is used as is.
	Images map[string]map[string]string
	// Snapshots is the snapshot schedule of the primary's clusters, each
	// snapshot copied to the recovery region ([MultiRegion.Snapshots]);
	// nil: none.
	Snapshots *SnapshotSchedule
}

// MultiRegion returns the deployment name over the primary and recovery
// regions, each region's architecture made by build, its cluster images
// replaced by Images.
func (r Recovery) MultiRegion(name string, build func(region string) *Architecture) *MultiRegion {
	supernet := r.Supernet
	if supernet == "" {
		supernet = "10.0.0.0/8"
	}
	images := maps.Clone(r.Images)
	m := Regions(name, supernet, func(region string) *Architecture {
		a := build(region)
		if a == nil {
			return nil
		}
		for i := range a.Clusters {
			if img, ok := images[region][a.Clusters[i].Image]; ok {
				a.Clusters[i].Image = img
			}
		}
		return a
	}).Primary(r.Primary).AddRegion(r.Region)
	m.Bits = r.Bits
	m.Snapshots = r.Snapshots
	return m
}

// ThreeTierRecovery is [ThreeTier] with a recovery region: the three-tier
// document's Nets in several regions.
//
//	m := pattern.ThreeTierRecovery(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.Outscale},
//		pattern.Recovery{Primary: "eu-west-2", Region: pattern.Region{Name: "us-east-2", Posture: pattern.PilotLight}})
func ThreeTierRecovery(o ThreeTierOptions, r Recovery) *MultiRegion {
	return r.MultiRegion(ThreeTier(o).Name, func(string) *Architecture { return ThreeTier(o) })
}

// WebAppRecovery is [WebApp] with a second region.
func WebAppRecovery(o WebAppOptions, r Recovery) *MultiRegion {
	return r.MultiRegion(WebApp(o).Name, func(string) *Architecture { return WebApp(o) })
}

// ElasticRecovery is [Elastic] with a second region: the elastic platform
// document's redundancy over several regions.
func ElasticRecovery(o ElasticOptions, r Recovery) *MultiRegion {
	return r.MultiRegion(Elastic(o).Name, func(string) *Architecture { return Elastic(o) })
}
