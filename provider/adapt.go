package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/pattern/blueprint"
)

// adapt checks bp against what the driver can do. Without fallback, every
// resource of an unsupported kind, and every resource that sets a field of
// [driver.Capabilities.UnsupportedFields], is an error naming it, the reason and
// the fix. With fallback, network ACLs are dropped, databases become their
// fallback clusters, instance roles are dropped and unsupported fields are
// cleared, net endpoints are dropped with the rules to their services'
// prefix lists; each adaptation is returned as a notice. Flow logs are dropped
// with a notice with or without fallback: they are on by default and
// change nothing the deployment does. bp is a copy the engine owns and is changed in
// place.
func adapt(bp *blueprint.Blueprint, provider string, caps driver.Capabilities, allowFallback bool) (notices []string, err error) {
	var errs []error
	dropped := map[string]bool{}
	out := bp.Resources[:0] // in place: bp is the engine's copy, and out never passes the resource it reads
	for _, r := range bp.Resources {
		reason, unsupported := caps.Unsupported[r.Kind]
		if e := r.NetEndpoint; !unsupported && e != nil && !caps.SupportsEndpoint(e.Service, e.Type) {
			if !allowFallback {
				errs = append(errs, fmt.Errorf("provider: %s: net_endpoint.service: %s (%s endpoint) not supported by %s (%s); add %q to Architecture.Endpoints.Drop, or set AllowFallback=true to drop it (the nodes then reach the service through a NAT, when a flow allows tcp/443 to the internet): %w",
					r.ID, e.Service, e.Type, provider, caps.NoEndpoint, e.Service, driver.ErrUnsupported))
				continue
			}
			reason, unsupported = caps.NoEndpoint, true
		}
		if empty := emptyCluster(r, caps); empty != "" {
			if !allowFallback {
				errs = append(errs, fmt.Errorf("provider: %s: a cluster of 0 nodes: %s cannot hold one (%s); set AllowFallback to leave it out until it has nodes (a pilot light's clusters), or give it desired 1 or more: %w", r.ID, provider, empty, driver.ErrUnsupported))
				continue
			}
			dropped[r.ID] = true
			notices = append(notices, fmt.Sprintf("%s: left out: 0 nodes, and %s cannot hold an empty cluster (%s); raising desired creates it", r.ID, provider, empty))
			continue
		}
		if !unsupported {
			out = append(out, r)
			continue
		}
		switch {
		case r.Kind == blueprint.KindFlowLog:
			// Flow logs are on by default and change nothing the
			// deployment does: a cloud without them drops them with a
			// notice, fallback or not.
			dropped[r.ID] = true
			notices = append(notices, fmt.Sprintf("%s: dropped: %s has no flow logs (%s); the Net's traffic is not recorded", r.ID, provider, reason))
		case !allowFallback:
			fix := "use a provider that supports it or remove the resource"
			switch r.Kind {
			case blueprint.KindNetworkACL:
				fix = "set AllowFallback to rely on the security groups, which enforce the same flows"
			case blueprint.KindDatabase, blueprint.KindCache, blueprint.KindBroker:
				fix = "set a fallback cluster and AllowFallback=true"
			case blueprint.KindDatabaseReplica:
				fix = "remove the read replicas, or set AllowFallback=true to drop them"
			case blueprint.KindInstanceRole:
				fix = "remove the cluster's grants, or set AllowFallback=true to start its nodes without a role (give the application its credentials otherwise)"
			case blueprint.KindNetEndpoint:
				fix = "set Architecture.Endpoints.Off, or AllowFallback=true to drop it (the nodes then reach the service through a NAT, when a flow allows tcp/443 to the internet)"
			case blueprint.KindBackupVault, blueprint.KindBackupPlan:
				fix = "remove the snapshot schedule (Snapshots), or set AllowFallback=true to drop it: no snapshot is then taken nor copied"
			}
			errs = append(errs, fmt.Errorf("provider: %s: %s not supported by %s (%s); %s: %w", r.ID, r.Kind, provider, reason, fix, driver.ErrUnsupported))
		case r.Kind == blueprint.KindNetworkACL:
			dropped[r.ID] = true
			notices = append(notices, fmt.Sprintf("%s: dropped: %s has no network ACLs (%s); the security groups already enforce the same flows", r.ID, provider, reason))
		case r.Kind == blueprint.KindInstanceRole:
			dropped[r.ID] = true
			notices = append(notices, fmt.Sprintf("%s: dropped: %s gives VMs no role (%s); the nodes get no cloud credentials from it", r.ID, provider, reason))
		case r.Kind == blueprint.KindNetEndpoint:
			dropped[r.ID] = true
			notices = append(notices, fmt.Sprintf("%s: dropped: %s has no such endpoint (%s); the nodes reach %s through a NAT only when a flow allows tcp/443 to the internet", r.ID, provider, reason, r.NetEndpoint.Service))
		case r.Kind == blueprint.KindBackupVault || r.Kind == blueprint.KindBackupPlan:
			dropped[r.ID] = true
			notices = append(notices, fmt.Sprintf("%s: dropped: %s has no snapshot schedule (%s); no volume snapshot is taken nor copied to another region", r.ID, provider, reason))
		case r.Kind == blueprint.KindDatabaseReplica:
			// No fallback: a replica of a database cluster of VMs is the
			// cluster's own replication, which archkit does not run; the
			// cluster's size (Fallback.Desired) is the user's choice.
			notices = append(notices, fmt.Sprintf("%s: dropped: %s has no managed database read replicas (%s); size the fallback database cluster instead", r.ID, provider, reason))
			dropped[r.ID] = true
		case r.Kind == blueprint.KindDatabase || r.Kind == blueprint.KindCache || r.Kind == blueprint.KindBroker:
			c, notice, err := fallbackCluster(r, provider, reason, caps)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, c)
			if r.Database != nil && r.Database.ReplicaOf != nil {
				src := r.Database.ReplicaOf
				notice += fmt.Sprintf(", which does not replicate %s of %s: restore its data there from a snapshot", src.Database, src.Region)
			}
			notices = append(notices, notice)
		default:
			errs = append(errs, fmt.Errorf("provider: %s: %s not supported by %s (%s) and no fallback exists; remove the resource: %w", r.ID, r.Kind, provider, reason, driver.ErrUnsupported))
		}
	}
	notices = append(notices, dropPrefixListRules(out, provider, caps)...)
	for i := range out {
		ns, ferrs := adaptFields(&out[i], provider, caps, allowFallback)
		notices = append(notices, ns...)
		errs = append(errs, ferrs...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out, notices = dropFallbackImages(out, dropped, notices, provider)
	if len(dropped) > 0 {
		for i := range out {
			out[i].DependsOn = slices.DeleteFunc(slices.Clone(out[i].DependsOn), func(id string) bool { return dropped[id] })
		}
	}
	bp.Resources = out
	return notices, nil
}

// dropPrefixListRules removes the rules to a service's prefix list when
// the driver makes no gateway endpoint to the service: they go with the
// gateway endpoint whose users they serve. It returns a notice per rule
// set changed.
func dropPrefixListRules(rs []blueprint.Resource, provider string, caps driver.Capabilities) (notices []string) {
	toList := func(r blueprint.RuleSpec) bool {
		return r.PrefixList != "" && !caps.SupportsEndpoint(r.PrefixList, blueprint.EndpointGateway)
	}
	for i := range rs {
		if s := rs[i].SecurityGroupRules; s != nil && (slices.ContainsFunc(s.Inbound, toList) || slices.ContainsFunc(s.Outbound, toList)) {
			c := rs[i].Clone()
			c.SecurityGroupRules.Inbound = slices.DeleteFunc(c.SecurityGroupRules.Inbound, toList)
			c.SecurityGroupRules.Outbound = slices.DeleteFunc(c.SecurityGroupRules.Outbound, toList)
			rs[i] = c
			notices = append(notices, fmt.Sprintf("%s: its rules to services' prefix lists dropped: %s has no gateway endpoint to those services", c.ID, provider))
		}
	}
	return notices
}

// fallbackCluster returns the cluster of VMs that r, a managed database,
// cache or broker, becomes on a provider without its kind, and the notice that says
// so; an error when r has no fallback or the provider has no clusters.
func fallbackCluster(r blueprint.Resource, provider, reason string, caps driver.Capabilities) (blueprint.Resource, string, error) {
	what := "managed database"
	switch r.Kind {
	case blueprint.KindCache:
		what = "managed cache"
	case blueprint.KindBroker:
		what = "managed message broker"
	}
	fb := r.FallbackCluster()
	if fb == nil {
		return blueprint.Resource{}, "", fmt.Errorf("provider: %s: %s has no %s (%s); set a fallback cluster or use AllowFallback=false: %w", r.ID, provider, what, reason, driver.ErrUnsupported)
	}
	if !caps.Supports(blueprint.KindCluster) {
		return blueprint.Resource{}, "", fmt.Errorf("provider: %s: fallback cluster: %s supports neither %ss nor clusters: %w", r.ID, provider, what, driver.ErrUnsupported)
	}
	c := blueprint.Resource{ID: r.ID, Kind: blueprint.KindCluster, Cluster: fb}
	c = c.Clone()
	c.DependsOn = c.Dependencies()
	return c, fmt.Sprintf("%s: %s has no %s (%s); built as a %d-node %s cluster instead", r.ID, provider, what, reason, c.Cluster.Desired, c.Cluster.Tier), nil
}

// emptyCluster returns the reason the driver cannot hold r, a cluster of 0
// nodes, or "" when r is not one or the driver can.
func emptyCluster(r blueprint.Resource, caps driver.Capabilities) string {
	if r.Kind != blueprint.KindCluster || r.Cluster == nil || r.Cluster.Desired > 0 {
		return ""
	}
	return caps.NoEmptyCluster
}

// adaptFields refuses (without fallback) or clears (with fallback) the
// fields of r that the driver lists in UnsupportedFields, in field order.
func adaptFields(r *blueprint.Resource, provider string, caps driver.Capabilities, allowFallback bool) (notices []string, errs []error) {
	unsupported := caps.UnsupportedFields[r.Kind]
	if len(unsupported) == 0 {
		return nil, nil
	}
	set := specFields(r)
	fields := make([]string, 0, len(unsupported))
	for f := range unsupported {
		if _, ok := set[f]; ok {
			fields = append(fields, f)
		}
	}
	slices.Sort(fields)
	for _, f := range fields {
		reason := unsupported[f]
		if !allowFallback {
			errs = append(errs, fmt.Errorf("provider: %s: %s.%s not supported by %s (%s); %s: %w", r.ID, r.Kind, f, provider, reason, fieldFix(r, f), driver.ErrUnsupported))
			continue
		}
		if err := clearField(r, f); err != nil {
			errs = append(errs, fmt.Errorf("provider: %s: %s.%s: cannot drop the field: %w", r.ID, r.Kind, f, err))
			continue
		}
		notices = append(notices, fieldNotice(r, f, provider, reason))
	}
	return notices, errs
}

// fieldFix is the advice when field f of r is unsupported.
func fieldFix(r *blueprint.Resource, f string) string {
	if r.Kind == blueprint.KindCluster && f == "scaling" {
		return fmt.Sprintf("set AllowFallback to keep the nodes at desired (%d), or remove the cluster's Scaling", r.Cluster.Desired)
	}
	return "set AllowFallback to go without it, or remove the field"
}

// fieldNotice reports that f was dropped from r.
func fieldNotice(r *blueprint.Resource, f, provider, reason string) string {
	if r.Kind == blueprint.KindCluster && f == "scaling" {
		return fmt.Sprintf("%s: scaling dropped: %s cannot autoscale (%s); the cluster stays at %d nodes", r.ID, provider, reason, r.Cluster.Desired)
	}
	return fmt.Sprintf("%s: %s dropped: not supported by %s (%s)", r.ID, f, provider, reason)
}

// clearField sets the top-level spec field f (a JSON name) of r to its
// zero value, through the JSON encoding so that it works for any field.
func clearField(r *blueprint.Resource, f string) error {
	whole, err := json.Marshal(r)
	if err != nil {
		return err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(whole, &top); err != nil {
		return err
	}
	var spec map[string]json.RawMessage
	if err := json.Unmarshal(top[string(r.Kind)], &spec); err != nil {
		return err
	}
	delete(spec, f)
	if top[string(r.Kind)], err = json.Marshal(spec); err != nil {
		return err
	}
	if whole, err = json.Marshal(top); err != nil {
		return err
	}
	var out blueprint.Resource
	if err := json.Unmarshal(whole, &out); err != nil {
		return err
	}
	*r = out
	return nil
}

// expandReplicas turns the read_replicas count of a database, as
// Blueprints written before read replicas became resources hold it, into
// one database_replica resource per replica ("database_replica/<name>/1"
// ...), unless the Blueprint has them already, and clears the count. bp is
// a copy the engine owns.
func expandReplicas(bp *blueprint.Blueprint) {
	var have map[string]bool // the ids of bp, once a database has replicas
	var add []blueprint.Resource
	for i := range bp.Resources {
		r := &bp.Resources[i]
		if r.Database == nil || r.Database.ReadReplicas <= 0 {
			continue
		}
		if have == nil {
			have = make(map[string]bool, len(bp.Resources))
			for _, o := range bp.Resources {
				have[o.ID] = true
			}
		}
		name := strings.TrimPrefix(r.ID, string(blueprint.KindDatabase)+"/")
		for n := 1; n <= r.Database.ReadReplicas; n++ {
			id := string(blueprint.KindDatabaseReplica) + "/" + name + "/" + strconv.Itoa(n)
			if have[id] {
				continue
			}
			add = append(add, blueprint.Resource{ID: id, Kind: blueprint.KindDatabaseReplica, DependsOn: []string{r.ID},
				DatabaseReplica: &blueprint.DatabaseReplicaSpec{Source: blueprint.Ref(r.ID), InstanceClass: r.Database.InstanceClass,
					SecurityGroups: slices.Clone(r.Database.SecurityGroups)}})
		}
		r.Database.ReadReplicas = 0
	}
	if len(add) > 0 {
		bp.Resources = append(bp.Resources, add...)
		slices.SortFunc(bp.Resources, func(a, b blueprint.Resource) int { return strings.Compare(a.ID, b.ID) })
	}
}

// dropFallbackImages drops the image copies that only the fallback
// clusters of managed databases start from, when the provider runs those
// databases: no node ever starts from them (and a fallback's image may be
// a placeholder). The databases' fallbacks then name no copy.
func dropFallbackImages(out []blueprint.Resource, dropped map[string]bool, notices []string, provider string) ([]blueprint.Resource, []string) {
	used, fallback := map[string]bool{}, map[string]string{}
	for _, r := range out {
		switch {
		case r.Cluster != nil && r.Cluster.ImageCopy != "":
			used[string(r.Cluster.ImageCopy)] = true
		case r.Database != nil && r.Database.Fallback != nil && r.Database.Fallback.ImageCopy != "":
			fallback[string(r.Database.Fallback.ImageCopy)] = r.ID
		}
	}
	for _, id := range slices.Sorted(maps.Keys(fallback)) {
		if db := fallback[id]; !used[id] {
			dropped[id] = true
			notices = append(notices, fmt.Sprintf("%s: dropped: only the fallback cluster of %s starts from it, and %s runs the managed database", id, db, provider))
		}
	}
	if len(dropped) == 0 {
		return out, notices
	}
	for i := range out {
		if db := out[i].Database; db != nil && db.Fallback != nil && dropped[string(db.Fallback.ImageCopy)] {
			fb := *db.Fallback
			fb.ImageCopy = ""
			d := *db
			d.Fallback = &fb
			out[i].Database = &d
		}
	}
	return slices.DeleteFunc(out, func(r blueprint.Resource) bool { return r.Kind == blueprint.KindImageCopy && dropped[r.ID] }), notices
}
