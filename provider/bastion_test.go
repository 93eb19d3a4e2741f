package provider_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
	"github.com/archkit/archkit/tier"
)

// A bastion per zone with the user's key, on the fake as AWS and as
// OUTSCALE: the key pair exists with the key, the nodes start with it, the
// bastion reaches every tier on SSH and no tier reaches it; re-applied
// with no write, destroyed with nothing left.
func TestBastionKeyPairOnTheFake(t *testing.T) {
	t.Parallel()
	for name, cloud := range map[string]struct {
		profile netplan.Profile
		opts    []func(*fake.Options)
	}{"aws": {netplan.AWS, nil}, "outscale": {netplan.Outscale, []func(*fake.Options){fake.Outscale}}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "jump", Profile: cloud.profile,
				AdminCIDR: netip.MustParsePrefix("203.0.113.0/24"), BastionPublicKey: providertest.PublicKey, BastionPerZone: true}).Build()
			require.NoError(t, err)
			d := newFake(cloud.opts...)
			eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)

			kps, err := d.List(t.Context(), driver.Query{Deployment: "jump", Kind: blueprint.KindKeyPair})
			require.NoError(t, err)
			require.Len(t, kps, 1)
			assert.Equal(t, providertest.PublicKey, kps[0].Resource.KeyPair.PublicKey)
			assert.Equal(t, "jump-bastion-"+providertest.PublicKey.ShortHash(), kps[0].Resource.KeyPair.Name)
			clusters, err := d.List(t.Context(), driver.Query{Deployment: "jump", Kind: blueprint.KindCluster})
			require.NoError(t, err)
			for _, c := range clusters {
				if c.LogicalID == "cluster/bastion" {
					assert.Equal(t, blueprint.Ref(kps[0].ID), c.Resource.Cluster.KeyPair)
					assert.Equal(t, 2, c.Resource.Cluster.Desired, "one per zone")
				} else {
					assert.Empty(t, c.Resource.Cluster.KeyPair, c.LogicalID)
				}
			}
			for _, to := range []string{"nginx", "intel", "db"} {
				fake.AssertAllows(t, d, "security_group/bastion", "security_group/"+to, "tcp", 22)
				fake.AssertDenies(t, d, "security_group/"+to, "security_group/bastion", "tcp", 22)
			}

			d.ResetCalls()
			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			assert.Zero(t, d.Counts().Writes)
			_, err = eng.Destroy(t.Context(), "jump", allowStateful(bp))
			require.NoError(t, err)
			assert.Empty(t, d.Snapshot("jump"))
		})
	}
}

// Session Manager is AWS's: on OUTSCALE the instance profile, or the role
// derived when no profile is given, is refused before any call, naming
// the field.
func TestBastionSessionManagerOutscaleRefused(t *testing.T) {
	t.Parallel()
	for profile, want := range map[string][]string{"ssm": {"instance_profile", "no IAM instance profiles"}, "": {"instance_role/bastion", "grants"}} {
		a := pattern.New("ssm", "10.0.0.0/16").
			AddBastionHost("bastion", pattern.Bastion{Image: "ami-b", SessionManager: true, InstanceProfile: profile})
		a.Profile = netplan.Outscale
		bp, err := a.Build()
		require.NoError(t, err)
		d := newFake(fake.Outscale)
		_, err = provider.NewEngine(d, fastOpts).Apply(t.Context(), bp)
		require.Error(t, err)
		for _, w := range want {
			assert.ErrorContains(t, err, w)
		}
		assert.Zero(t, d.Counts().Writes)
	}
}

// Another key: a new key pair (a new name) made first, the cluster moved
// to it (in place on AWS: a new launch template version; replaced on
// OUTSCALE, whose VMs keep the key they started with), the old key pair
// deleted last; nothing else changes.
func TestBastionKeyRotation(t *testing.T) {
	t.Parallel()
	other := tier.PublicKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPGHmp3Os4Xw5ohmAl8sF+sDRBYKWpDmfL5nvzvD3bqN bob")
	require.NoError(t, other.Check("other"))
	for name, cloud := range map[string]struct {
		profile           netplan.Profile
		opts              []func(*fake.Options)
		updated, replaced int
	}{"aws": {netplan.AWS, nil, 1, 1}, "outscale": {netplan.Outscale, []func(*fake.Options){fake.Outscale}, 0, 2}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			build := func(k tier.PublicKey) *blueprint.Blueprint {
				bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "rotate", Profile: cloud.profile,
					AdminCIDR: netip.MustParsePrefix("203.0.113.0/24"), BastionPublicKey: k}).Build()
				require.NoError(t, err)
				return bp
			}
			d := newFake(cloud.opts...)
			eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
			_, err := eng.Apply(t.Context(), build(providertest.PublicKey))
			require.NoError(t, err)
			res, err := eng.Apply(t.Context(), build(other))
			require.NoError(t, err)
			assert.Equal(t, cloud.updated, res.Updated, "%v", res.Changeset)
			assert.Equal(t, cloud.replaced, res.Replaced, "%v", res.Changeset)
			assert.Zero(t, res.Created+res.Deleted, "%v", res.Changeset)
			kps, err := d.List(t.Context(), driver.Query{Deployment: "rotate", Kind: blueprint.KindKeyPair})
			require.NoError(t, err)
			require.Len(t, kps, 1, "the old key pair is gone")
			assert.Equal(t, other.Canonical(), kps[0].Resource.KeyPair.PublicKey)
		})
	}
}
