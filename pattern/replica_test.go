package pattern_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

// A recovery region copies the images its clusters share with the
// primary, once per image, and starts its clusters from the copies; its
// database is a cross-region read replica of the primary's. The primary
// has neither. Each has its opt-out, and an image of the recovery region's
// own (Recovery.Images) is not copied.
func TestRecoveryImagesAndReplicas(t *testing.T) {
	t.Parallel()
	m := pattern.WebAppRecovery(pattern.WebAppOptions{Name: "shop", Image: "ami-app"},
		pattern.Recovery{Primary: "eu-west-3", Region: pattern.Region{Name: "eu-west-1", Posture: pattern.PilotLight}})
	bps, err := m.Build()
	require.NoError(t, err)
	assert.Empty(t, bps["eu-west-3"].OfKind(blueprint.KindImageCopy))
	pdb, _ := bps["eu-west-3"].Resource("database/db")
	assert.Nil(t, pdb.Database.ReplicaOf)

	rec := bps["eu-west-1"]
	cp, ok := rec.Resource("image_copy/ami-app")
	require.True(t, ok, "%v", rec.OfKind(blueprint.KindImageCopy))
	assert.Equal(t, blueprint.ImageCopySpec{SourceImage: "ami-app", SourceRegion: "eu-west-3", Name: "shop-ami-app-from-eu-west-3"}, *cp.ImageCopy)
	app, _ := rec.Resource("cluster/app")
	assert.Equal(t, blueprint.Ref("image_copy/ami-app"), app.Cluster.ImageCopy)
	assert.Equal(t, "ami-app", app.Cluster.Image, "the source stays named")
	assert.Contains(t, app.DependsOn, "image_copy/ami-app", "the copy is made first")
	db, _ := rec.Resource("database/db")
	assert.Equal(t, &blueprint.DatabaseSource{Region: "eu-west-3", Database: "database/db"}, db.Database.ReplicaOf)

	m.Promote("eu-west-1")
	bps, err = m.Build()
	require.NoError(t, err)
	db, _ = bps["eu-west-1"].Resource("database/db")
	assert.Nil(t, db.Database.ReplicaOf, "promoted")
	require.Error(t, m.Promote("eu-west-3").Validate(), "the primary is no recovery region")

	own := pattern.WebAppRecovery(pattern.WebAppOptions{Name: "shop", Image: "ami-app"},
		pattern.Recovery{Primary: "eu-west-3", Region: pattern.Region{Name: "eu-west-1", Posture: pattern.PilotLight},
			Images: map[string]map[string]string{"eu-west-1": {"ami-app": "ami-own"}}})
	bps, err = own.Build()
	require.NoError(t, err)
	app, _ = bps["eu-west-1"].Resource("cluster/app")
	assert.Equal(t, "ami-own", app.Cluster.Image)
	assert.Empty(t, app.Cluster.ImageCopy, "an image of the region's own is not copied")

	off := pattern.WebAppRecovery(pattern.WebAppOptions{Name: "shop", Image: "ami-app"},
		pattern.Recovery{Primary: "eu-west-3", Region: pattern.Region{Name: "eu-west-1", Posture: pattern.PilotLight}})
	off.NoImageCopies, off.NoDatabaseReplicas = true, true
	bps, err = off.Build()
	require.NoError(t, err)
	assert.Empty(t, bps["eu-west-1"].OfKind(blueprint.KindImageCopy))
	db, _ = bps["eu-west-1"].Resource("database/db")
	assert.Nil(t, db.Database.ReplicaOf)
}
