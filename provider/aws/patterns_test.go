package aws_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
)

// motoImage is an AMI that moto's us-east-1 knows.
const motoImage = "ami-12c6146b"

// TestPatternsEndToEnd applies the seed patterns built by package pattern
// (seed 003 web app, seed 000 three-tier) through the engine on moto,
// checks them with the boto3 witness, applies again without a write call,
// and destroys them without leaving anything tagged.
func TestPatternsEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		arch  func(cert string) *pattern.Architecture
		check func(t *testing.T, w witness)
	}{
		{"seed003-webapp", func(cert string) *pattern.Architecture {
			return pattern.WebApp(pattern.WebAppOptions{Name: "tipster", Profile: netplan.AWS, Image: motoImage, Certificate: cert,
				UserData: "#cloud-config\nruncmd: [systemctl start tomcat]\n"})
		}, func(t *testing.T, w witness) {
			assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, w.SubnetZones)
			assert.Positive(t, w.DefaultRoutes["igw"])
			assert.Positive(t, w.DefaultRoutes["nat"])
			assert.Positive(t, w.NATs)
			assert.Positive(t, w.GroupRules)
			require.Len(t, w.LBs, 1)
			assert.Contains(t, w.LBs[0].Listeners, "HTTPS:443")
			require.NotEmpty(t, w.ASGs)
			assert.Positive(t, w.ASGs[0].Instances)
			require.Len(t, w.DBs, 1)
			assert.False(t, w.DBs[0].Public)
			assert.Len(t, w.DBs[0].SubnetGroupZones, 2)
		}},
		{"seed000-threetier", func(string) *pattern.Architecture {
			return pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS,
				WebImage: motoImage, AppImage: motoImage, DBImage: motoImage})
		}, func(t *testing.T, w witness) {
			assert.Equal(t, []string{"us-east-1a", "us-east-1b"}, w.SubnetZones)
			assert.Positive(t, w.GroupRules)
			assert.NotEmpty(t, w.ASGs)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			bp, err := tc.arch(requestCertificate(t.Context(), t, td, "tipster.example.com")).Build()
			require.NoError(t, err)
			eng := engine(td.Driver)

			res, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			writes, reads, _ := td.calls.snapshot()
			t.Logf("apply: %s; %d resources; AWS API calls %d writes %d reads", res, len(bp.Resources), writes, reads)
			tc.check(t, readWitness(t, td, bp.Deployment))

			td.calls.reset()
			res, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			writes, reads, ops := td.calls.snapshot()
			t.Logf("re-apply: %s; AWS API calls %d writes %d reads", res, writes, reads)
			assert.Zero(t, writes, "re-apply wrote: %v", ops)
			assert.Zero(t, res.Created+res.Updated+res.Replaced+res.Deleted, "re-apply changed: %v", res.Changeset)

			res, err = eng.Destroy(t.Context(), bp.Deployment)
			require.NoError(t, err)
			t.Logf("destroy: %s", res)
			for _, k := range pattern.Kinds {
				left, err := td.List(t.Context(), provider.Query{Deployment: bp.Deployment, Kind: k})
				require.NoError(t, err)
				assert.Empty(t, left, "kind %s", k)
			}
			w := readWitness(t, td, bp.Deployment)
			assert.Empty(t, w.EC2Tagged)
			assert.Empty(t, w.LBs)
			assert.Empty(t, w.DBs)
			assert.Zero(t, w.LaunchTemplates+w.TargetGroups+w.DBSubnetGroups)
		})
	}
}
