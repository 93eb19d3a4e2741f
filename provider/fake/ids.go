package fake

import (
	"fmt"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

// newID returns the next provider id for a resource of kind k. Load
// balancers are named by ARN (AWS) or by their name (OUTSCALE).
func (d *Driver) newID(k blueprint.Kind, r *blueprint.Resource) string {
	d.seq++
	h := mix(d.seq)
	if k == blueprint.KindLoadBalancer {
		if d.opts.IDStyle == IDStyleOutscale {
			return r.LoadBalancer.Name
		}
		return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:123456789012:loadbalancer/%s/%s/%016x",
			strings.TrimRight(d.region(), "abcdefghijklmnopqrstuvwxyz"), lbTypeWord(r.LoadBalancer.Type), r.LoadBalancer.Name, h)
	}
	return d.idWith(kinds[k].idPrefix, h)
}

func (d *Driver) idWith(prefix string, h uint64) string { return idIn(d.opts.IDStyle, prefix, h) }

// idIn spells an id of prefix and hash h in style.
func idIn(style IDStyle, prefix string, h uint64) string {
	if style == IDStyleOutscale {
		return fmt.Sprintf("%s-%08x", prefix, uint32(h))
	}
	return fmt.Sprintf("%s-0%016x", prefix, h)
}

// region returns the name of the first zone, the region plus a letter.
func (d *Driver) region() string {
	if len(d.opts.Zones) == 0 {
		return "fake-1"
	}
	return d.opts.Zones[0]
}

func lbTypeWord(t string) string {
	if t == blueprint.LBNetwork {
		return "net"
	}
	return "app"
}

// mix is splitmix64: deterministic ids that do not look like a counter.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// clusterParts returns the instances of a cluster of n nodes.
func (d *Driver) clusterParts(n int) map[string][]string {
	ids := make([]string, 0, n)
	for range n {
		d.seq++
		ids = append(ids, d.idWith("i", mix(d.seq)))
	}
	return map[string][]string{"instance": ids}
}
