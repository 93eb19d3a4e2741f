package aws

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A cache is an ElastiCache cache subnet group and, for Redis, a
// replication group (cluster mode disabled: one shard of a primary and
// Nodes-1 replicas) or, for Memcached, a cache cluster; both are named by
// cacheIdentifier(token). Observed.ID is the group's (or cluster's)
// identifier and Parts["cache_subnet_group"] the subnet group.
//
// Redis is created with NumNodeGroups 1, ReplicasPerNodeGroup Nodes-1 and
// a NodeGroupConfiguration that puts the primary in the zone of the first
// subnet and one replica in each next zone in turn; automatic failover and
// Multi-AZ as the spec says, encryption in transit and at rest when
// Encrypted, SnapshotRetentionLimit days of automatic snapshots.
// ElastiCache has no deletion protection: the driver refuses the delete of
// a Redis cache itself unless the caller allowed it
// (driver.DeleteOptions.LiftProtection), and that delete takes a final
// snapshot named by driver.FinalSnapshotName (FinalSnapshotIdentifier).
// A Memcached cluster keeps nothing and is deleted like any resource.
//
// In place (updateCache): node type, engine version (upgrades only),
// automatic failover, Multi-AZ, snapshot retention and security groups by
// one ModifyReplicationGroup with ApplyImmediately; the number of nodes by
// IncreaseReplicaCount or DecreaseReplicaCount; a Memcached cluster's nodes,
// version and groups by one ModifyCacheCluster; new subnets by
// ModifyCacheSubnetGroup. DescribeReplicationGroups reports neither the
// engine version nor the security groups (a member's DescribeCacheClusters
// does): the driver reads the groups from the first member, and keeps the
// version asked (ElastiCache reports the running patch version), the groups
// and the port in tags, read when the cloud does not answer them (moto
// makes no member clusters and reports no groups or configuration endpoint
// for a Memcached cluster).

// partCacheSubnetGroup names the cache subnet group in Observed.Parts.
const partCacheSubnetGroup = "cache_subnet_group"

// tagCacheGroups and tagCachePort keep a cache's security groups and
// port as asked, read when the cloud does not report them (moto reports
// neither for a cache cluster, nor the groups of a replication group).
const (
	tagCacheGroups = specTag + "security-groups"
	tagCachePort   = specTag + "port"
)

// cacheIdentifier turns a token into a valid ElastiCache identifier: the
// rules of dbIdentifier, at most 40 characters (CreateReplicationGroup
// ReplicationGroupId: "1 to 40 alphanumeric characters or hyphens; the
// first a letter; no two consecutive hyphens, no hyphen at the end").
func cacheIdentifier(token string) string {
	id := dbIdentifier(token)
	if len(id) > 40 {
		const tail = 9 // "-" and 8 hex digits of the token's hash
		id = strings.TrimRight(id[:40-tail], "-") + id[len(id)-tail:]
	}
	return strings.TrimRight(id, "-")
}

func (d *Driver) createCache(ctx context.Context, req driver.Request) (driver.Observed, error) {
	return d.createCacheID(ctx, req, cacheIdentifier(clusterName(req)))
}

// createCacheID creates the cache (and its subnet group) named id: from
// the token for a new cache, the subnet group's name for one an earlier
// run left incomplete.
func (d *Driver) createCacheID(ctx context.Context, req driver.Request, id string) (driver.Observed, error) {
	spec := req.Resource.Cache
	if _, err := d.readCacheID(ctx, id); err == nil {
		return d.waitCache(ctx, id)
	} else if !hasCode(err, driver.NotFound) {
		return driver.Observed{}, err
	}
	tags := withTags(req.Tags, tagEngineVersion, spec.EngineVersion, tagCacheGroups, joinRefs(spec.SecurityGroups), tagCachePort, strconv.Itoa(int(spec.Port)))
	zones, err := d.subnetZones(ctx, req.Resource.ID, spec.Subnets)
	if err != nil {
		return driver.Observed{}, err
	}
	if err := d.ensureCacheSubnetGroup(ctx, req, id, tags); err != nil {
		return driver.Observed{}, err
	}
	if spec.IsRedis() {
		_, err = d.ElastiCache.CreateReplicationGroup(ctx, replicationGroupInput(id, req.Resource.ID, spec, zones, tags))
		err = mapErr("CreateReplicationGroup", "cache", req.Resource.ID, err)
	} else {
		_, err = d.ElastiCache.CreateCacheCluster(ctx, cacheClusterInput(id, spec, zones, tags))
		err = mapErr("CreateCacheCluster", "cache", req.Resource.ID, err)
	}
	if err != nil && !hasCode(err, driver.AlreadyExists) {
		return driver.Observed{}, err
	}
	return d.waitCache(ctx, id)
}

// replicationGroupInput is the CreateReplicationGroup of a Redis cache:
// one shard whose primary is in zones[0] and whose replicas follow the
// zones in turn.
func replicationGroupInput(id, lid string, s *blueprint.CacheSpec, zones []string, tags map[string]string) *elasticache.CreateReplicationGroupInput {
	in := &elasticache.CreateReplicationGroupInput{
		ReplicationGroupId:          awssdk.String(id),
		ReplicationGroupDescription: awssdk.String(subnetGroupDescription + lid),
		Engine:                      awssdk.String(s.Engine),
		CacheNodeType:               awssdk.String(s.NodeType),
		NumNodeGroups:               awssdk.Int32(1),
		ReplicasPerNodeGroup:        awssdk.Int32(int32(s.Nodes - 1)),
		AutomaticFailoverEnabled:    awssdk.Bool(s.AutomaticFailover),
		MultiAZEnabled:              awssdk.Bool(s.MultiAZ),
		TransitEncryptionEnabled:    awssdk.Bool(s.Encrypted),
		AtRestEncryptionEnabled:     awssdk.Bool(s.Encrypted),
		SnapshotRetentionLimit:      awssdk.Int32(int32(s.SnapshotRetentionDays)),
		Port:                        awssdk.Int32(int32(s.Port)),
		CacheSubnetGroupName:        awssdk.String(id),
		SecurityGroupIds:            refStrings(s.SecurityGroups),
		Tags:                        cacheTags(tags),
	}
	if s.EngineVersion != "" {
		in.EngineVersion = awssdk.String(s.EngineVersion)
	}
	if len(zones) > 0 {
		placed := nodeZones(zones, s.Nodes)
		in.NodeGroupConfiguration = []ectypes.NodeGroupConfiguration{{NodeGroupId: awssdk.String("0001"),
			PrimaryAvailabilityZone: awssdk.String(placed[0]), ReplicaAvailabilityZones: placed[1:], ReplicaCount: awssdk.Int32(int32(s.Nodes - 1))}}
	}
	return in
}

// cacheClusterInput is the CreateCacheCluster of a Memcached cache: its
// nodes spread over the zones (AZMode cross-az when there are two or more).
func cacheClusterInput(id string, s *blueprint.CacheSpec, zones []string, tags map[string]string) *elasticache.CreateCacheClusterInput {
	in := &elasticache.CreateCacheClusterInput{
		CacheClusterId:           awssdk.String(id),
		Engine:                   awssdk.String(s.Engine),
		CacheNodeType:            awssdk.String(s.NodeType),
		NumCacheNodes:            awssdk.Int32(int32(s.Nodes)),
		TransitEncryptionEnabled: awssdk.Bool(s.Encrypted),
		Port:                     awssdk.Int32(int32(s.Port)),
		CacheSubnetGroupName:     awssdk.String(id),
		SecurityGroupIds:         refStrings(s.SecurityGroups),
		Tags:                     cacheTags(tags),
	}
	if s.EngineVersion != "" {
		in.EngineVersion = awssdk.String(s.EngineVersion)
	}
	if len(zones) > 0 {
		in.PreferredAvailabilityZones = nodeZones(zones, s.Nodes)
		if len(zones) > 1 && s.Nodes > 1 {
			in.AZMode = ectypes.AZModeCrossAz
		}
	}
	return in
}

// nodeZones places n nodes over zones in turn.
func nodeZones(zones []string, n int) []string {
	out := make([]string, max(n, 1))
	for i := range out {
		out[i] = zones[i%len(zones)]
	}
	return out
}

// subnetZones returns the distinct zones of subnets, in the subnets'
// order.
func (d *Driver) subnetZones(ctx context.Context, lid string, subnets []blueprint.Ref) ([]string, error) {
	if len(subnets) == 0 {
		return nil, nil
	}
	out, err := d.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: refStrings(subnets)})
	if err != nil {
		return nil, mapErr("DescribeSubnets", "cache", lid, err)
	}
	byID := map[string]string{}
	for _, s := range out.Subnets {
		byID[awssdk.ToString(s.SubnetId)] = awssdk.ToString(s.AvailabilityZone)
	}
	var zones []string
	for _, s := range subnets {
		if z := byID[string(s)]; z != "" && !slices.Contains(zones, z) {
			zones = append(zones, z)
		}
	}
	return zones, nil
}

func (d *Driver) ensureCacheSubnetGroup(ctx context.Context, req driver.Request, name string, tags map[string]string) error {
	out, err := d.ElastiCache.DescribeCacheSubnetGroups(ctx, &elasticache.DescribeCacheSubnetGroupsInput{CacheSubnetGroupName: awssdk.String(name)})
	if err == nil && len(out.CacheSubnetGroups) > 0 {
		return nil
	}
	if err != nil && !hasCode(err, driver.NotFound) {
		return mapErr("DescribeCacheSubnetGroups", "cache", req.Resource.ID, err)
	}
	_, err = d.ElastiCache.CreateCacheSubnetGroup(ctx, &elasticache.CreateCacheSubnetGroupInput{
		CacheSubnetGroupName:        awssdk.String(name),
		CacheSubnetGroupDescription: awssdk.String(subnetGroupDescription + req.Resource.ID),
		SubnetIds:                   refStrings(req.Resource.Cache.Subnets),
		Tags:                        cacheTags(tags),
	})
	if hasCode(err, driver.AlreadyExists) {
		return nil
	}
	return mapErr("CreateCacheSubnetGroup", "cache", req.Resource.ID, err)
}

// waitCache waits (bounded) until cache id is available, then reads it.
func (d *Driver) waitCache(ctx context.Context, id string) (driver.Observed, error) {
	var o driver.Observed
	err := d.retryWhile(ctx, driver.Unavailable, func() error {
		var err error
		if o, err = d.readCacheID(ctx, id); err == nil && !o.Ready && o.Status != "incomplete" {
			return driver.NewError("DescribeReplicationGroups", "cache", id, driver.Unavailable, errString("aws: cache "+id+" is "+o.Status))
		}
		return err
	})
	if hasCode(err, driver.Unavailable) && o.ID != "" {
		return o, nil // not ready within the bound: the engine polls Read
	}
	return o, err
}

func (d *Driver) readCache(ctx context.Context, id string) (driver.Observed, error) {
	return d.readCacheID(ctx, id)
}

// readCacheID reads cache id: a replication group, else a Memcached
// cluster, else the subnet group a create left without its cache
// (Incomplete), else NotFound.
func (d *Driver) readCacheID(ctx context.Context, id string) (driver.Observed, error) {
	rg, err := d.describeReplicationGroup(ctx, id)
	if err == nil {
		return d.replicationGroupObserved(ctx, *rg)
	}
	if !hasCode(err, driver.NotFound) {
		return driver.Observed{}, err
	}
	cc, err := d.describeCacheCluster(ctx, id)
	if err == nil && cc.ReplicationGroupId == nil {
		return d.cacheClusterObserved(ctx, *cc)
	}
	if err != nil && !hasCode(err, driver.NotFound) {
		return driver.Observed{}, err
	}
	return d.incompleteCache(ctx, id)
}

func (d *Driver) describeReplicationGroup(ctx context.Context, id string) (*ectypes.ReplicationGroup, error) {
	out, err := d.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String(id)})
	if err != nil {
		return nil, mapErr("DescribeReplicationGroups", "cache", id, err)
	}
	// moto keeps a deleted group, "deleting", for ever: so does AWS
	// while it deletes one; either way it is gone for the engine.
	if len(out.ReplicationGroups) == 0 || awssdk.ToString(out.ReplicationGroups[0].Status) == "deleting" {
		return nil, notFound("DescribeReplicationGroups", blueprint.KindCache, id)
	}
	return &out.ReplicationGroups[0], nil
}

func (d *Driver) describeCacheCluster(ctx context.Context, id string) (*ectypes.CacheCluster, error) {
	out, err := d.ElastiCache.DescribeCacheClusters(ctx, &elasticache.DescribeCacheClustersInput{CacheClusterId: awssdk.String(id)})
	if err != nil {
		return nil, mapErr("DescribeCacheClusters", "cache", id, err)
	}
	if len(out.CacheClusters) == 0 || awssdk.ToString(out.CacheClusters[0].CacheClusterStatus) == "deleting" {
		return nil, notFound("DescribeCacheClusters", blueprint.KindCache, id)
	}
	return &out.CacheClusters[0], nil
}

// cacheTagsOf returns the tags of the ElastiCache resource arn.
func (d *Driver) cacheTagsOf(ctx context.Context, id string, arn *string) (map[string]string, error) {
	out, err := d.ElastiCache.ListTagsForResource(ctx, &elasticache.ListTagsForResourceInput{ResourceName: arn})
	if err != nil {
		return nil, mapErr("ListTagsForResource", "cache", id, err)
	}
	m := make(map[string]string, len(out.TagList))
	for _, t := range out.TagList {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m, nil
}

// replicationGroupObserved reports rg: its fields, its subnets (its
// subnet group's), and its version and groups from its first member
// (from the tags when no member answers: moto makes none).
func (d *Driver) replicationGroupObserved(ctx context.Context, rg ectypes.ReplicationGroup) (driver.Observed, error) {
	id := awssdk.ToString(rg.ReplicationGroupId)
	tags, err := d.cacheTagsOf(ctx, id, rg.ARN)
	if err != nil {
		return driver.Observed{}, err
	}
	status := awssdk.ToString(rg.Status)
	o := observed(blueprint.KindCache, id, tags, status == "available", status)
	s := &blueprint.CacheSpec{Engine: cmp.Or(awssdk.ToString(rg.Engine), "redis"), NodeType: awssdk.ToString(rg.CacheNodeType),
		Nodes:                 len(rg.MemberClusters),
		AutomaticFailover:     rg.AutomaticFailover == ectypes.AutomaticFailoverStatusEnabled || rg.AutomaticFailover == ectypes.AutomaticFailoverStatusEnabling,
		MultiAZ:               rg.MultiAZ == ectypes.MultiAZStatusEnabled,
		Encrypted:             awssdk.ToBool(rg.TransitEncryptionEnabled) && awssdk.ToBool(rg.AtRestEncryptionEnabled),
		SnapshotRetentionDays: int(awssdk.ToInt32(rg.SnapshotRetentionLimit)),
		EngineVersion:         tags[tagEngineVersion], // as asked: ElastiCache reports the running patch version
		SecurityGroups:        splitRefs(tags[tagCacheGroups])}
	if len(rg.NodeGroups) > 0 && rg.NodeGroups[0].PrimaryEndpoint != nil {
		s.Port = uint16(awssdk.ToInt32(rg.NodeGroups[0].PrimaryEndpoint.Port))
	}
	if len(rg.MemberClusters) > 0 {
		if cc, err := d.describeCacheCluster(ctx, rg.MemberClusters[0]); err == nil {
			s.SecurityGroups = cacheGroups(*cc)
		} else if !hasCode(err, driver.NotFound) {
			return driver.Observed{}, err
		}
	}
	return d.withCacheSubnets(ctx, o, s, id)
}

// cacheClusterObserved reports a Memcached cluster.
func (d *Driver) cacheClusterObserved(ctx context.Context, cc ectypes.CacheCluster) (driver.Observed, error) {
	id := awssdk.ToString(cc.CacheClusterId)
	tags, err := d.cacheTagsOf(ctx, id, cc.ARN)
	if err != nil {
		return driver.Observed{}, err
	}
	status := awssdk.ToString(cc.CacheClusterStatus)
	o := observed(blueprint.KindCache, id, tags, status == "available", status)
	s := &blueprint.CacheSpec{Engine: awssdk.ToString(cc.Engine), NodeType: awssdk.ToString(cc.CacheNodeType),
		Nodes: int(awssdk.ToInt32(cc.NumCacheNodes)), Encrypted: awssdk.ToBool(cc.TransitEncryptionEnabled),
		EngineVersion: tags[tagEngineVersion], SecurityGroups: cacheGroups(cc)}
	if len(s.SecurityGroups) == 0 {
		s.SecurityGroups = splitRefs(tags[tagCacheGroups])
	}
	if cc.ConfigurationEndpoint != nil {
		s.Port = uint16(awssdk.ToInt32(cc.ConfigurationEndpoint.Port))
	} else if p, err := strconv.Atoi(tags[tagCachePort]); err == nil {
		s.Port = uint16(p)
	}
	return d.withCacheSubnets(ctx, o, s, id)
}

// withCacheSubnets completes o with s and the subnets of the cache's
// subnet group, named like the cache.
func (d *Driver) withCacheSubnets(ctx context.Context, o driver.Observed, s *blueprint.CacheSpec, group string) (driver.Observed, error) {
	out, err := d.ElastiCache.DescribeCacheSubnetGroups(ctx, &elasticache.DescribeCacheSubnetGroupsInput{CacheSubnetGroupName: awssdk.String(group)})
	if err != nil && !hasCode(err, driver.NotFound) {
		return driver.Observed{}, mapErr("DescribeCacheSubnetGroups", "cache", group, err)
	}
	if err == nil && len(out.CacheSubnetGroups) > 0 {
		for _, sn := range out.CacheSubnetGroups[0].Subnets {
			s.Subnets = append(s.Subnets, blueprint.Ref(awssdk.ToString(sn.SubnetIdentifier)))
		}
		slices.Sort(s.Subnets)
		o.Parts = map[string][]string{partCacheSubnetGroup: {group}}
	}
	o.Resource.Cache = s
	return o, nil
}

// incompleteCache reports the subnet group of a cache whose group or
// cluster was never made, so that the engine completes or deletes it;
// NotFound without one.
func (d *Driver) incompleteCache(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.ElastiCache.DescribeCacheSubnetGroups(ctx, &elasticache.DescribeCacheSubnetGroupsInput{CacheSubnetGroupName: awssdk.String(id)})
	if hasCode(err, driver.NotFound) || (err == nil && len(out.CacheSubnetGroups) == 0) {
		return driver.Observed{}, notFound("DescribeReplicationGroups", blueprint.KindCache, id)
	}
	if err != nil {
		return driver.Observed{}, mapErr("DescribeCacheSubnetGroups", "cache", id, err)
	}
	tags, err := d.cacheTagsOf(ctx, id, out.CacheSubnetGroups[0].ARN)
	if err != nil {
		return driver.Observed{}, err
	}
	return incompleteCacheObserved(id, tags), nil
}

func incompleteCacheObserved(name string, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindCache, name, tags, false, "incomplete")
	o.Incomplete = true
	o.Resource.Cache = &blueprint.CacheSpec{}
	o.Parts = map[string][]string{partCacheSubnetGroup: {name}}
	return o
}

func cacheGroups(cc ectypes.CacheCluster) []blueprint.Ref {
	var out []blueprint.Ref
	for _, g := range cc.SecurityGroups {
		out = append(out, blueprint.Ref(awssdk.ToString(g.SecurityGroupId)))
	}
	slices.Sort(out)
	return out
}

func cacheTags(m map[string]string) []ectypes.Tag {
	var out []ectypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, ectypes.Tag{Key: awssdk.String(k), Value: awssdk.String(m[k])})
	}
	return out
}

// joinRefs and splitRefs keep a list of ids in one tag value.
func joinRefs(rs []blueprint.Ref) string { return strings.Join(refStrings(sortedRefs(rs)), " ") }

func splitRefs(s string) []blueprint.Ref {
	var out []blueprint.Ref
	for f := range strings.FieldsSeq(s) {
		out = append(out, blueprint.Ref(f))
	}
	return out
}

// listCaches returns the deployment's caches in q's Nets: its replication
// groups and Memcached clusters, and the subnet groups a create left
// without their cache.
func (d *Driver) listCaches(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	var res []driver.Observed
	seen := map[string]bool{}
	rp := elasticache.NewDescribeReplicationGroupsPaginator(d.ElastiCache, &elasticache.DescribeReplicationGroupsInput{})
	for rp.HasMorePages() {
		out, err := rp.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeReplicationGroups", "cache", "", err)
		}
		for _, rg := range out.ReplicationGroups {
			seen[awssdk.ToString(rg.ReplicationGroupId)] = true
			if awssdk.ToString(rg.Status) == "deleting" {
				continue
			}
			o, err := d.replicationGroupObserved(ctx, rg)
			if err != nil {
				return nil, err
			}
			res = append(res, o)
		}
	}
	cp := elasticache.NewDescribeCacheClustersPaginator(d.ElastiCache, &elasticache.DescribeCacheClustersInput{})
	for cp.HasMorePages() {
		out, err := cp.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeCacheClusters", "cache", "", err)
		}
		for _, cc := range out.CacheClusters {
			seen[awssdk.ToString(cc.CacheClusterId)] = true
			if cc.ReplicationGroupId != nil || awssdk.ToString(cc.CacheClusterStatus) == "deleting" {
				continue
			}
			o, err := d.cacheClusterObserved(ctx, cc)
			if err != nil {
				return nil, err
			}
			res = append(res, o)
		}
	}
	strays, err := d.strayCacheGroups(ctx, q, seen)
	if err != nil {
		return nil, err
	}
	return ownedCaches(append(res, strays...), q), nil
}

// strayCacheGroups returns the cache subnet groups archkit made whose
// cache does not exist.
func (d *Driver) strayCacheGroups(ctx context.Context, q driver.Query, seen map[string]bool) ([]driver.Observed, error) {
	var res []driver.Observed
	gp := elasticache.NewDescribeCacheSubnetGroupsPaginator(d.ElastiCache, &elasticache.DescribeCacheSubnetGroupsInput{})
	for gp.HasMorePages() {
		out, err := gp.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeCacheSubnetGroups", "cache", "", err)
		}
		for _, g := range out.CacheSubnetGroups {
			name := awssdk.ToString(g.CacheSubnetGroupName)
			if seen[name] || !strings.HasPrefix(awssdk.ToString(g.CacheSubnetGroupDescription), subnetGroupDescription) ||
				len(q.NetIDs) > 0 && !slices.Contains(q.NetIDs, awssdk.ToString(g.VpcId)) {
				continue
			}
			tags, err := d.cacheTagsOf(ctx, name, g.ARN)
			if err != nil {
				return nil, err
			}
			o := incompleteCacheObserved(name, tags)
			o.Resource.Cache.Subnets = nil
			res = append(res, o)
		}
	}
	return res, nil
}

// ownedCaches keeps the caches whose tags name q's deployment, compared
// exactly.
func ownedCaches(all []driver.Observed, q driver.Query) []driver.Observed {
	var out []driver.Observed
	for _, o := range all {
		if owned(o.Tags, q.Deployment) {
			out = append(out, o)
		}
	}
	return out
}

// updateCache changes the cache in place: new subnets first
// (ModifyCacheSubnetGroup), then the number of nodes and one
// ModifyReplicationGroup of every other field that differs (Redis, in the
// order modifyReplicationGroup says), or one ModifyCacheCluster
// (Memcached), applied immediately; the version and
// groups asked are kept in tags. It waits until the cache is available.
func (d *Driver) updateCache(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if cur.Status == "incomplete" {
		return d.createCacheID(ctx, req, cur.ID)
	}
	have, err := d.readCacheID(ctx, cur.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	h, w := have.Resource.Cache, req.Resource.Cache
	lid := req.Resource.ID
	if !slices.Equal(sortedRefs(h.Subnets), sortedRefs(w.Subnets)) {
		_, err := d.ElastiCache.ModifyCacheSubnetGroup(ctx, &elasticache.ModifyCacheSubnetGroupInput{
			CacheSubnetGroupName: awssdk.String(cur.ID), SubnetIds: refStrings(w.Subnets)})
		if err != nil {
			return driver.Observed{}, mapErr("ModifyCacheSubnetGroup", "cache", lid, err)
		}
	}
	if w.IsRedis() {
		err = d.modifyReplicationGroup(ctx, lid, cur.ID, h, w)
	} else {
		err = d.modifyCacheCluster(ctx, lid, cur.ID, h, w)
	}
	if err != nil {
		return driver.Observed{}, err
	}
	if err := d.retagCache(ctx, lid, cur.ID, w); err != nil {
		return driver.Observed{}, err
	}
	return d.waitCache(ctx, cur.ID)
}

// modifyReplicationGroup sends the replica count change and one
// ModifyReplicationGroup of every other field of w that differs from h,
// in the order ElastiCache takes them: replicas added before automatic
// failover comes on (it needs one), replicas removed after it goes off
// (DecreaseReplicaCount keeps one replica while Multi-AZ is on). The
// second call is repeated while the group is still modifying after the
// first (InvalidReplicationGroupState).
func (d *Driver) modifyReplicationGroup(ctx context.Context, lid, id string, h, w *blueprint.CacheSpec) error {
	replicas := func() error { return d.changeReplicas(ctx, lid, id, h.Nodes, w.Nodes) }
	modify := func() error { return d.modifyReplicationFields(ctx, lid, id, h, w) }
	first, second := replicas, modify
	if w.Nodes < h.Nodes {
		first, second = modify, replicas
	}
	if err := first(); err != nil {
		return err
	}
	return d.retryWhile(ctx, driver.Dependency, second)
}

// changeReplicas sends IncreaseReplicaCount or DecreaseReplicaCount to
// go from have to want nodes (a primary and its replicas), or nothing.
func (d *Driver) changeReplicas(ctx context.Context, lid, id string, have, want int) error {
	var err error
	switch {
	case want > have:
		_, err = d.ElastiCache.IncreaseReplicaCount(ctx, &elasticache.IncreaseReplicaCountInput{ReplicationGroupId: awssdk.String(id),
			ApplyImmediately: awssdk.Bool(true), NewReplicaCount: awssdk.Int32(int32(want - 1))})
		err = mapErr("IncreaseReplicaCount", "cache", lid, err)
	case want < have:
		_, err = d.ElastiCache.DecreaseReplicaCount(ctx, &elasticache.DecreaseReplicaCountInput{ReplicationGroupId: awssdk.String(id),
			ApplyImmediately: awssdk.Bool(true), NewReplicaCount: awssdk.Int32(int32(want - 1))})
		err = mapErr("DecreaseReplicaCount", "cache", lid, err)
	}
	return err
}

// modifyReplicationFields sends one ModifyReplicationGroup of every field
// of w but its nodes that differs from h, or nothing.
func (d *Driver) modifyReplicationFields(ctx context.Context, lid, id string, h, w *blueprint.CacheSpec) error {
	in := &elasticache.ModifyReplicationGroupInput{ReplicationGroupId: awssdk.String(id), ApplyImmediately: awssdk.Bool(true)}
	changed := false
	set := func(differs bool, apply func()) {
		if differs {
			apply()
			changed = true
		}
	}
	set(w.NodeType != h.NodeType, func() { in.CacheNodeType = awssdk.String(w.NodeType) })
	set(w.EngineVersion != "" && w.EngineVersion != h.EngineVersion, func() { in.EngineVersion = awssdk.String(w.EngineVersion) })
	set(w.AutomaticFailover != h.AutomaticFailover, func() { in.AutomaticFailoverEnabled = awssdk.Bool(w.AutomaticFailover) })
	set(w.MultiAZ != h.MultiAZ, func() { in.MultiAZEnabled = awssdk.Bool(w.MultiAZ) })
	set(w.SnapshotRetentionDays != h.SnapshotRetentionDays, func() { in.SnapshotRetentionLimit = awssdk.Int32(int32(w.SnapshotRetentionDays)) })
	set(!slices.Equal(sortedRefs(w.SecurityGroups), sortedRefs(h.SecurityGroups)), func() { in.SecurityGroupIds = refStrings(w.SecurityGroups) })
	if !changed {
		return nil
	}
	_, err := d.ElastiCache.ModifyReplicationGroup(ctx, in)
	return mapErr("ModifyReplicationGroup", "cache", lid, err)
}

// modifyCacheCluster sends one ModifyCacheCluster of the nodes, version
// and groups of w that differ from h (a Memcached cluster).
func (d *Driver) modifyCacheCluster(ctx context.Context, lid, id string, h, w *blueprint.CacheSpec) error {
	in := &elasticache.ModifyCacheClusterInput{CacheClusterId: awssdk.String(id), ApplyImmediately: awssdk.Bool(true)}
	changed := false
	if w.Nodes != h.Nodes {
		in.NumCacheNodes, changed = awssdk.Int32(int32(w.Nodes)), true
		if w.Nodes < h.Nodes { // the newest nodes go
			for n := w.Nodes + 1; n <= h.Nodes; n++ {
				in.CacheNodeIdsToRemove = append(in.CacheNodeIdsToRemove, nodeID(n))
			}
		}
	}
	if w.EngineVersion != "" && w.EngineVersion != h.EngineVersion {
		in.EngineVersion, changed = awssdk.String(w.EngineVersion), true
	}
	if !slices.Equal(sortedRefs(w.SecurityGroups), sortedRefs(h.SecurityGroups)) {
		in.SecurityGroupIds, changed = refStrings(w.SecurityGroups), true
	}
	if !changed {
		return nil
	}
	_, err := d.ElastiCache.ModifyCacheCluster(ctx, in)
	return mapErr("ModifyCacheCluster", "cache", lid, err)
}

// nodeID is the id ElastiCache gives the n-th node of a cluster: "0001".
func nodeID(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", max(4-len(s), 0)) + s
}

// retagCache records the version and groups asked on the cache.
func (d *Driver) retagCache(ctx context.Context, lid, id string, w *blueprint.CacheSpec) error {
	arn, err := d.cacheARN(ctx, id, w.IsRedis())
	if err != nil || arn == nil {
		return err
	}
	tags := withTags(nil, tagEngineVersion, w.EngineVersion, tagCacheGroups, joinRefs(w.SecurityGroups))
	_, err = d.ElastiCache.AddTagsToResource(ctx, &elasticache.AddTagsToResourceInput{ResourceName: arn, Tags: cacheTags(tags)})
	return mapErr("AddTagsToResource", "cache", lid, err)
}

// cacheARN returns the ARN of the replication group or cluster id.
func (d *Driver) cacheARN(ctx context.Context, id string, redis bool) (*string, error) {
	if redis {
		rg, err := d.describeReplicationGroup(ctx, id)
		if err != nil {
			return nil, err
		}
		return rg.ARN, nil
	}
	cc, err := d.describeCacheCluster(ctx, id)
	if err != nil {
		return nil, err
	}
	return cc.ARN, nil
}

// errCacheProtected is the refusal of a Redis cache delete the caller did
// not allow.
const errCacheProtected = errString("aws: cache: a Redis cache holds data and ElastiCache has no deletion protection: the driver deletes it only for a delete the caller allowed (AllowDataLoss)")

// deleteCache deletes the cache and its subnet group. A Redis cache goes
// only when opts.LiftProtection says the caller allowed it, with a final
// snapshot named by driver.FinalSnapshotName unless opts.SkipFinalSnapshot;
// the driver waits until it is gone, then deletes the subnet group
// (CacheSubnetGroupInUse while the cache goes: retried).
func (d *Driver) deleteCache(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	if rg, err := d.describeReplicationGroup(ctx, cur.ID); err == nil {
		if !opts.LiftProtection {
			return driver.NewError("DeleteReplicationGroup", "cache", cur.ID, driver.Invalid, errCacheProtected)
		}
		in := &elasticache.DeleteReplicationGroupInput{ReplicationGroupId: rg.ReplicationGroupId}
		if !opts.SkipFinalSnapshot {
			in.FinalSnapshotIdentifier = awssdk.String(driver.FinalSnapshotName(cur.ID, opts.At))
		}
		if _, err := d.ElastiCache.DeleteReplicationGroup(ctx, in); err != nil && !hasCode(err, driver.NotFound) {
			return mapErr("DeleteReplicationGroup", "cache", cur.ID, err)
		}
	} else if !hasCode(err, driver.NotFound) {
		return err
	} else if _, err := d.describeCacheCluster(ctx, cur.ID); err == nil {
		_, err := d.ElastiCache.DeleteCacheCluster(ctx, &elasticache.DeleteCacheClusterInput{CacheClusterId: awssdk.String(cur.ID)})
		if err != nil && !hasCode(err, driver.NotFound) {
			return mapErr("DeleteCacheCluster", "cache", cur.ID, err)
		}
	} else if !hasCode(err, driver.NotFound) {
		return err
	}
	err := d.retryWhile(ctx, driver.Dependency, func() error {
		_, err := d.ElastiCache.DeleteCacheSubnetGroup(ctx, &elasticache.DeleteCacheSubnetGroupInput{CacheSubnetGroupName: awssdk.String(cur.ID)})
		return mapErr("DeleteCacheSubnetGroup", "cache", cur.ID, err)
	})
	if hasCode(err, driver.NotFound) {
		return nil
	}
	return err
}

// hasCode reports whether err, raw from the SDK or made by the driver,
// has code c.
func hasCode(err error, c driver.Code) bool {
	return err != nil && (driver.CodeOf(err) == c || isCode(err, c))
}
