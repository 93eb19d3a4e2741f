package pattern

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Year is the year of downtime figures: 365 days, as in the cloud-native document's table.
const Year = 365 * 24 * time.Hour

// Availability is the fraction of time a service is up, in [0, 1]:
// 0.9999 is "four nines".
//
// The cloud-native document's table, which the tests check:
//
//	99%       3.65 days per year
//	99.9%     8.76 hours
//	99.99%    52.56 minutes
//	99.999%   5.26 minutes
//	99.9999%  31.5 seconds
type Availability float64

// Percent returns a as a percentage: 99.99.
func (a Availability) Percent() float64 { return float64(a) * 100 }

// Nines returns the number of nines, -log10(1 - a): 4 for 0.9999,
// about 3.3 for 0.9995, +Inf for 1.
func (a Availability) Nines() float64 {
	if a >= 1 {
		return math.Inf(1)
	}
	// Round away the float noise of 1 - 0.9999.
	return math.Round(-math.Log10(1-float64(a))*1e9) / 1e9
}

// Downtime returns the expected downtime per 365-day year, to the
// millisecond: 52m33.6s for 0.9999.
func (a Availability) Downtime() time.Duration {
	down := (1 - float64(a)) * float64(Year)
	return time.Duration(math.Round(down/float64(time.Millisecond))) * time.Millisecond
}

// DowntimeString returns the downtime per year in the words of the
// cloud-native document's table: the largest unit that gives at least 1 (days, hours,
// minutes, seconds), two decimals (one for seconds), trailing zeros
// trimmed: "3.65 days", "52.56 minutes", "31.5 seconds".
func (a Availability) DowntimeString() string {
	d := a.Downtime()
	unit, v, prec := "seconds", d.Seconds(), 1
	switch {
	case d >= 24*time.Hour:
		unit, v, prec = "days", d.Hours()/24, 2
	case d >= time.Hour:
		unit, v, prec = "hours", d.Hours(), 2
	case d >= time.Minute:
		unit, v, prec = "minutes", d.Minutes(), 2
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + " " + unit
}

// String returns "99.99% (4 nines, 52.56 minutes down per year)".
func (a Availability) String() string {
	p := strconv.FormatFloat(a.Percent(), 'f', -1, 64)
	if r := strconv.FormatFloat(a.Percent(), 'f', 4, 64); len(p) > len(r) {
		p = strings.TrimRight(strings.TrimRight(r, "0"), ".")
	}
	return fmt.Sprintf("%s%% (%s nines, %s down per year)", p, strconv.FormatFloat(math.Round(a.Nines()*100)/100, 'f', -1, 64), a.DowntimeString())
}

// Parallel returns the availability of redundant parts, any one of which
// is enough: 1 - (1-a1)(1-a2)... Two nodes of 0.99 give 0.9999.
func Parallel(as ...Availability) Availability {
	down := 1.0
	for _, a := range as {
		down *= 1 - float64(a)
	}
	return Availability(1 - down)
}

// Series returns the availability of parts that are all needed: a1 a2 ...
// A path through web, app and db of 0.9999 each gives 0.9997.
func Series(as ...Availability) Availability {
	up := 1.0
	for _, a := range as {
		up *= float64(a)
	}
	return Availability(up)
}

// Spread returns the availability of nodes spread evenly over zones, each
// node up with probability node while its zone is up, each zone up with
// probability zone: the service is up while one zone is up with one node
// up in it. 4 nodes over 2 zones put 2 in each.
func Spread(nodes, zones int, node, zone Availability) Availability {
	if nodes <= 0 || zones <= 0 {
		return 0
	}
	zones = min(zones, nodes)
	per := make([]Availability, zones)
	for i := range zones {
		k := nodes / zones
		if i < nodes%zones {
			k++
		}
		nodeSet := make([]Availability, k)
		for j := range nodeSet {
			nodeSet[j] = node
		}
		per[i] = Series(zone, Parallel(nodeSet...))
	}
	return Parallel(per...)
}

// TierAvailability is the availability of one tier of an architecture.
type TierAvailability struct {
	Tier  string
	Nodes int
	Zones int
	Availability
}

// AvailabilityReport is the availability of each tier and of the request
// path through them in series.
type AvailabilityReport struct {
	Node, Zone Availability
	Tiers      []TierAvailability
	// Path is the request path, tiers in order; Availability is theirs in
	// series.
	Path []string
	Availability
}

// String returns one line per tier and one for the path.
func (r AvailabilityReport) String() string {
	var b strings.Builder
	for _, t := range r.Tiers {
		fmt.Fprintf(&b, "%-10s %d nodes in %d zones: %s\n", t.Tier, t.Nodes, t.Zones, t.Availability)
	}
	fmt.Fprintf(&b, "path %s: %s\n", strings.Join(r.Path, " -> "), r.Availability)
	return b.String()
}

// Availability computes, from node and zone availabilities, the
// availability of every tier that runs something (a cluster's Desired
// nodes spread over the tier's zones; a managed database as one node, two
// with MultiAZ; a load balancer as one node per zone of its tier) and of
// path, the tiers a request crosses in series. An empty path is every tier
// that runs something, in declaration order, each preceded by the load
// balancers in front of it.
func (a *Architecture) Availability(node, zone Availability, path ...string) (AvailabilityReport, error) {
	if a == nil {
		return AvailabilityReport{}, errNil
	}
	if node < 0 || node > 1 || zone < 0 || zone > 1 {
		return AvailabilityReport{}, errf("availability", fmt.Sprint(node, zone), "not in [0, 1]", "give fractions such as 0.99")
	}
	d := newDesign(a)
	if errs := d.validate(); len(errs) > 0 {
		return AvailabilityReport{}, errors.Join(errs...)
	}
	r := AvailabilityReport{Node: node, Zone: zone}
	byName := map[string]TierAvailability{}
	var order []string
	for i := range a.LBs {
		lb := &a.LBs[i]
		n := len(a.tierZones(d.tiers[lb.Tier]))
		byName[lb.Name] = TierAvailability{Tier: lb.Name, Nodes: n, Zones: n, Availability: Spread(n, n, node, zone)}
	}
	for i := range a.Tiers {
		t := &a.Tiers[i]
		zs := len(a.tierZones(t))
		var ta TierAvailability
		if c, ok := d.clusters[t.Name]; ok {
			ta = TierAvailability{Tier: t.Name, Nodes: c.Desired, Zones: min(zs, max(c.Desired, 1)), Availability: Spread(c.Desired, zs, node, zone)}
		} else if db, ok := d.dbs[t.Name]; ok {
			n := 1
			if db.MultiAZ && zs > 1 {
				n = 2
			}
			ta = TierAvailability{Tier: t.Name, Nodes: n, Zones: n, Availability: Spread(n, n, node, zone)}
		} else if c, ok := d.caches[t.Name]; ok {
			ta = cacheAvailability(c, zs, node, zone)
		} else {
			continue
		}
		byName[t.Name] = ta
		for j := range a.LBs {
			if a.LBs[j].Target == t.Name {
				order = append(order, a.LBs[j].Name)
			}
		}
		order = append(order, t.Name)
	}
	if len(path) == 0 {
		path = order
	}
	var parts []Availability
	for i, p := range path {
		ta, ok := byName[p]
		if !ok {
			return AvailabilityReport{}, errf(fmt.Sprintf("path[%d]", i), p, "no cluster, database or load balancer of that name", "name a tier that runs something")
		}
		parts = append(parts, ta.Availability)
	}
	for _, n := range order {
		r.Tiers = append(r.Tiers, byName[n])
	}
	r.Path = path
	r.Availability = Series(parts...)
	return r, nil
}
