package pattern_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/tier"
)

// manyTiers is n app tiers of /26 in 10.0.0.0/16 over zones a and b.
func manyTiers(n int) *pattern.Architecture {
	a := pattern.New("many", "10.0.0.0/16")
	a.Profile, a.NAT = netplan.AWS, netplan.NATNone
	for i := range n {
		t := tier.App(fmt.Sprintf("t%d", i))
		t.SubnetBits = 26
		a.AddTier(t)
	}
	return a
}

// TestBuildRefusesSubnetsOverTheQuota is the case: 101 and 1,000
// tiers on the AWS profile built cleanly, then the fake refused subnet 201
// after 808 creates. Build now refuses them, naming the quota.
func TestBuildRefusesSubnetsOverTheQuota(t *testing.T) {
	t.Parallel()
	for _, n := range []int{101, 1000} {
		_, err := manyTiers(n).Build()
		require.Error(t, err, n)
		require.ErrorIs(t, err, pattern.ErrInvalid)
		assert.Contains(t, err.Error(), fmt.Sprintf("pattern: tiers: %d tiers: %d subnets (one per tier and zone), over the aws quota of 200 (subnets per Net)", n, 2*n))
		assert.Contains(t, err.Error(), fmt.Sprintf("%d route tables (one per subnet and the main one), over the aws quota of 200", 2*n+1))
	}
	// 99 tiers: 198 subnets, 199 route tables with the main one, 100 network ACLs with the default one.
	build(t, manyTiers(99))
	// 100 tiers: 200 subnets fit, but not 201 route tables.
	_, err := manyTiers(100).Build()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "(subnets per Net)")
	assert.Contains(t, err.Error(), "201 route tables")
}

// TestBuildRefusesDatabaseInOneZone is the case: a managed
// database whose tier has Zones set to "a" passed Build; RDS refuses a DB
// subnet group in one zone.
func TestBuildRefusesDatabaseInOneZone(t *testing.T) {
	t.Parallel()
	a := pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app"), tier.PostgreSQL("db")).
		AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).Connect("app", "db")
	a.Profile, a.NAT = netplan.AWS, netplan.NATNone
	a.Tier("db").Zones = []string{"a"}
	_, err := a.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.Contains(t, err.Error(), `pattern: tiers[1].zones: [a]: managed database "db" (databases[0]) in 1 zone: RDS needs a DB subnet group over at least two zones (DBSubnetGroupDoesNotCoverEnoughAZs); give the tier two zones or more`)

	a.Tier("db").Zones = nil
	build(t, a)
}

func TestBuildRefusesReservedUsername(t *testing.T) {
	t.Parallel()
	a := pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app"), tier.PostgreSQL("db")).
		AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).Connect("app", "db")
	a.NAT = netplan.NATNone
	assert.Equal(t, tier.DefaultUsername, a.Database("db").Username)
	build(t, a)
	a.Database("db").Username = "admin"
	_, err := a.Build()
	require.ErrorIs(t, err, tier.ErrInvalid)
	assert.Contains(t, err.Error(), `database[db].username: "admin": a reserved word of PostgreSQL; use 1 to 16 letters, digits or '_'`)

	el, err := pattern.Elastic(pattern.ElasticOptions{}).Build()
	require.NoError(t, err)
	db, _ := el.Resource("database/db")
	assert.NoError(t, tier.EnginePostgres.CheckUsername(db.Database.Username), "the ready pattern's user name is valid")
}

func TestBuildRefusesNATsOverThePublicIPQuota(t *testing.T) {
	t.Parallel()
	zones := []string{"a", "b", "c", "d", "e", "f"}
	a := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS}).WithZones(zones...)
	_, err := a.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.Contains(t, err.Error(), "6 NAT gateways, one public IP each, over the aws quota of 5 public IPs per region; use NATShared")
	a.NAT = netplan.NATShared
	build(t, a)
}

func TestPeerDeclaredWithoutPrefixes(t *testing.T) {
	t.Parallel()
	a := pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app")).Peer("office").Flow("peer:office -> app tcp/22")
	a.NAT = netplan.NATNone
	_, err := a.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `peer:office: peer declared without prefixes; give Peer(name, prefixes...) the peer's address blocks`)
	assert.NotContains(t, err.Error(), "unknown peer")

	a.Peer("office", netip.MustParsePrefix("192.0.2.0/24"))
	build(t, a)
}

func TestSubnetErrorsNameTheTierField(t *testing.T) {
	t.Parallel()
	a := pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app"))
	a.Profile, a.NAT = netplan.AWS, netplan.NATNone
	a.Tier("app").SubnetBits = 30
	_, err := a.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tiers[0].subnet_bits")
	assert.NotContains(t, err.Error(), "requests[")
}

func TestBuildRefusesBalancerSubnetsTooSmall(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS})
	home := a.Tier(a.LBs[0].Tier)
	home.SubnetBits, home.Hosts = 28, 0
	_, err := a.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.Contains(t, err.Error(), "is smaller than /27, the smallest subnet a load balancer takes on aws; give tier "+home.Name+" subnets of /27 or larger")
	home.SubnetBits = 27
	build(t, a)
}
