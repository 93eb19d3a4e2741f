package aws_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/ratelimit"
)

// Every request the driver sends, each retry included, takes its tokens
// once from the engine's limiter, in the buckets AWS meters it in: the
// EC2 action's own, the ELBv2 account's and category's, Auto Scaling's
// and RDS's.
// unmetered are the driver's IAM, CloudWatch Logs, ElastiCache, Amazon MQ, Secrets Manager and AWS Backup operations, which
// ratelimit.AWS does not meter.
var unmetered = map[string]bool{
	"ListRoles": true, "GetRole": true, "ListRoleTags": true, "GetRolePolicy": true, "GetInstanceProfile": true,
	"CreateRole": true, "PutRolePolicy": true, "CreateInstanceProfile": true, "AddRoleToInstanceProfile": true,
	"RemoveRoleFromInstanceProfile": true, "DeleteInstanceProfile": true, "DeleteRolePolicy": true, "DeleteRole": true,
	"CreateLogGroup": true, "PutRetentionPolicy": true, "DescribeLogGroups": true,
	// ElastiCache: the plan's list of caches.
	"DescribeReplicationGroups": true, "DescribeCacheClusters": true, "DescribeCacheSubnetGroups": true,
	// Amazon MQ and Secrets Manager: the plan's list of brokers.
	"ListBrokers": true, "ListSecrets": true, "DescribeBroker": true,
	// AWS Backup: the plan's lists of vaults and plans.
	"ListBackupVaults": true, "ListBackupPlans": true, "ListTags": true, "DescribeBackupVault": true, "GetBackupPlan": true,
	"ListBackupSelections": true, "GetBackupSelection": true,
}

func TestRequestsMeteredOnce(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	td.calls.throttle, td.calls.throttleOp = 2, "CreateVpc" // CreateVpc succeeds on its third attempt
	lim := ratelimit.New(ratelimit.AWS)
	eng := provider.NewEngine(td.Driver, func(o *provider.Options) {
		o.Limiter = lim
		o.PollMin, o.PollMax = 5*time.Millisecond, 20*time.Millisecond
	})
	bp := webApp("metered")
	withCertificate(bp, requestCertificate(t.Context(), t, td, "metered.example.com"))
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	taken := lim.Taken()
	td.calls.mu.Lock()
	defer td.calls.mu.Unlock()
	assert.Equal(t, 3, taken["EC2 CreateVpc"], "three attempts, three tokens")
	attempts := 0
	for op, n := range td.calls.opAttempts {
		if unmetered[op] {
			continue // IAM, CloudWatch Logs and ElastiCache: no published bucket, not metered
		}
		attempts += n
		filtered, ok := taken["EC2 "+op]
		unfiltered, ok2 := taken["EC2 "+op+" unfiltered"] // DescribeSecurityGroups by ids, say
		if ok || ok2 {
			assert.Equal(t, n, filtered+unfiltered, "EC2 %s", op)
		}
	}
	tokens := 0
	for name, n := range taken {
		if name != ratelimit.ServiceELBv2+" account" { // an ELBv2 request also draws from its category
			tokens += n
		}
	}
	assert.Equal(t, attempts, tokens, "one token per attempt, in one layer")
	assert.Positive(t, taken[ratelimit.ServiceELBv2+" resource-intensive"], "CreateLoadBalancer")
	assert.Positive(t, taken[ratelimit.ServiceAutoScaling+" account"])
	assert.Positive(t, taken[ratelimit.ServiceRDS+" account"])
	for name := range taken {
		assert.True(t, strings.HasPrefix(name, "EC2 ") || strings.HasPrefix(name, ratelimit.ServiceELBv2) ||
			strings.HasPrefix(name, ratelimit.ServiceAutoScaling) || strings.HasPrefix(name, ratelimit.ServiceRDS), name)
	}
}
