package aws_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/driver"
)

// replicationGroupAPI is one Redis replication group (cluster mode
// disabled) that keeps ElastiCache's rules of its replicas, automatic
// failover and Multi-AZ, which moto does not serve (it has neither
// IncreaseReplicaCount, DecreaseReplicaCount nor ModifyReplicationGroup):
// DecreaseReplicaCount leaves one replica at least while Multi-AZ or
// automatic failover is on (DecreaseReplicaCount NewReplicaCount: "If
// Multi-AZ is enabled: 1"), and ModifyReplicationGroup turns automatic
// failover on only with a replica and Multi-AZ only with automatic
// failover. It records the operations in order.
type replicationGroupAPI struct {
	aws.ElastiCacheAPI // nil: any other call panics

	mu                sync.Mutex
	nodes             int
	failover, multiAZ bool
	ops               []string
}

func refused(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

func (a *replicationGroupAPI) DescribeReplicationGroups(_ context.Context, in *elasticache.DescribeReplicationGroupsInput, _ ...func(*elasticache.Options)) (*elasticache.DescribeReplicationGroupsOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rg := ectypes.ReplicationGroup{ReplicationGroupId: in.ReplicationGroupId, Status: awssdk.String("available"), Engine: awssdk.String("redis"),
		CacheNodeType: awssdk.String("cache.t4g.small"), ARN: awssdk.String("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:c1"),
		AutomaticFailover: ectypes.AutomaticFailoverStatusDisabled, MultiAZ: ectypes.MultiAZStatusDisabled}
	for i := range a.nodes {
		rg.MemberClusters = append(rg.MemberClusters, fmt.Sprintf("c1-%03d", i+1))
	}
	if a.failover {
		rg.AutomaticFailover = ectypes.AutomaticFailoverStatusEnabled
	}
	if a.multiAZ {
		rg.MultiAZ = ectypes.MultiAZStatusEnabled
	}
	return &elasticache.DescribeReplicationGroupsOutput{ReplicationGroups: []ectypes.ReplicationGroup{rg}}, nil
}

func (a *replicationGroupAPI) DescribeCacheClusters(context.Context, *elasticache.DescribeCacheClustersInput, ...func(*elasticache.Options)) (*elasticache.DescribeCacheClustersOutput, error) {
	return nil, refused("CacheClusterNotFound", "no member answers here")
}

func (a *replicationGroupAPI) DescribeCacheSubnetGroups(context.Context, *elasticache.DescribeCacheSubnetGroupsInput, ...func(*elasticache.Options)) (*elasticache.DescribeCacheSubnetGroupsOutput, error) {
	return &elasticache.DescribeCacheSubnetGroupsOutput{CacheSubnetGroups: []ectypes.CacheSubnetGroup{{CacheSubnetGroupName: awssdk.String("c1"),
		Subnets: []ectypes.Subnet{{SubnetIdentifier: awssdk.String("subnet-a")}, {SubnetIdentifier: awssdk.String("subnet-b")}}}}}, nil
}

func (a *replicationGroupAPI) ListTagsForResource(context.Context, *elasticache.ListTagsForResourceInput, ...func(*elasticache.Options)) (*elasticache.ListTagsForResourceOutput, error) {
	return &elasticache.ListTagsForResourceOutput{}, nil
}

func (a *replicationGroupAPI) AddTagsToResource(context.Context, *elasticache.AddTagsToResourceInput, ...func(*elasticache.Options)) (*elasticache.AddTagsToResourceOutput, error) {
	return &elasticache.AddTagsToResourceOutput{}, nil
}

func (a *replicationGroupAPI) IncreaseReplicaCount(_ context.Context, in *elasticache.IncreaseReplicaCountInput, _ ...func(*elasticache.Options)) (*elasticache.IncreaseReplicaCountOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ops = append(a.ops, "IncreaseReplicaCount")
	a.nodes = int(awssdk.ToInt32(in.NewReplicaCount)) + 1
	return &elasticache.IncreaseReplicaCountOutput{}, nil
}

func (a *replicationGroupAPI) DecreaseReplicaCount(_ context.Context, in *elasticache.DecreaseReplicaCountInput, _ ...func(*elasticache.Options)) (*elasticache.DecreaseReplicaCountOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ops = append(a.ops, "DecreaseReplicaCount")
	n := int(awssdk.ToInt32(in.NewReplicaCount))
	if n < 1 && (a.multiAZ || a.failover) {
		return nil, refused("InvalidParameterValue", "a replication group with Multi-AZ or automatic failover keeps one replica at least")
	}
	a.nodes = n + 1
	return &elasticache.DecreaseReplicaCountOutput{}, nil
}

func (a *replicationGroupAPI) ModifyReplicationGroup(_ context.Context, in *elasticache.ModifyReplicationGroupInput, _ ...func(*elasticache.Options)) (*elasticache.ModifyReplicationGroupOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ops = append(a.ops, "ModifyReplicationGroup")
	failover, multiAZ := a.failover, a.multiAZ
	if in.AutomaticFailoverEnabled != nil {
		failover = *in.AutomaticFailoverEnabled
	}
	if in.MultiAZEnabled != nil {
		multiAZ = *in.MultiAZEnabled
	}
	switch {
	case failover && a.nodes < 2:
		return nil, refused("InvalidParameterCombination", "automatic failover needs a replica")
	case multiAZ && !failover:
		return nil, refused("InvalidParameterCombination", "Multi-AZ needs automatic failover")
	}
	a.failover, a.multiAZ = failover, multiAZ
	return &elasticache.ModifyReplicationGroupOutput{}, nil
}

// A Redis cache scaled down to one node with its failover and Multi-AZ
// turned off, or up from one node with them turned on, is changed in
// place in an order ElastiCache takes: failover off before the last
// replica goes, the replicas before failover comes on.
func TestCacheUpdateOrderOfReplicasAndFailover(t *testing.T) {
	t.Parallel()
	type shape struct {
		nodes             int
		failover, multiAZ bool
	}
	for _, tc := range []struct {
		name     string
		from, to shape
	}{
		{"down to one node", shape{3, true, true}, shape{1, false, false}},
		{"up from one node", shape{1, false, false}, shape{3, true, true}},
		{"down, failover kept", shape{3, true, true}, shape{2, true, true}},
		{"failover off, nodes kept", shape{2, true, true}, shape{2, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := &replicationGroupAPI{nodes: tc.from.nodes, failover: tc.from.failover, multiAZ: tc.from.multiAZ}
			d := &aws.Driver{EC2: struct{ aws.EC2API }{}, ElastiCache: api}
			spec := &blueprint.CacheSpec{Engine: "redis", NodeType: "cache.t4g.small", Nodes: tc.to.nodes,
				AutomaticFailover: tc.to.failover, MultiAZ: tc.to.multiAZ, Subnets: []blueprint.Ref{"subnet-a", "subnet-b"}}
			req := driver.Request{Resource: blueprint.Resource{ID: "cache/cache", Kind: blueprint.KindCache, Cache: spec}}
			cur, err := d.Read(t.Context(), blueprint.KindCache, "c1")
			require.NoError(t, err)
			got, err := d.Update(t.Context(), req, cur)
			require.NoError(t, err, "operations sent: %v", api.ops)
			assert.Equal(t, tc.to.nodes, got.Resource.Cache.Nodes)
			assert.Equal(t, tc.to.failover, got.Resource.Cache.AutomaticFailover)
			assert.Equal(t, tc.to.multiAZ, got.Resource.Cache.MultiAZ)
		})
	}
}
