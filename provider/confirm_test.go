package provider_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// Confirm sees the changeset that is applied, and a refusal stops Apply
// and Destroy before their first write.
func TestConfirm(t *testing.T) {
	t.Parallel()
	d := fake.New()
	eng := provider.NewEngine(d)
	bp := threeTier("shop", "")
	no := errors.New("not confirmed")

	_, err := eng.Apply(t.Context(), bp, func(o *provider.ApplyOptions) {
		o.Confirm = func(cs *provider.Changeset) error {
			assert.Equal(t, len(bp.Resources), cs.Counts()[provider.ActionCreate])
			return no
		}
	})
	require.ErrorIs(t, err, no)
	assert.Zero(t, d.Counts().Writes, "a refused plan writes nothing")

	var asked *provider.Changeset
	res, err := eng.Apply(t.Context(), bp, func(o *provider.ApplyOptions) {
		o.Confirm = func(cs *provider.Changeset) error { asked = cs; return nil }
	})
	require.NoError(t, err)
	assert.Same(t, asked, res.Changeset, "the confirmed changeset is the one applied")

	d.ResetCalls()
	_, err = eng.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) {
		o.Confirm = func(*provider.Changeset) error {
			t.Error("asked to confirm a destroy the protection refuses")
			return nil
		}
	})
	require.ErrorIs(t, err, provider.ErrProtected, "the database is protected before any question")

	allow := []string{"database/db"}
	_, err = eng.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) {
		o.AllowDataLoss = allow
		o.Confirm = func(cs *provider.Changeset) error {
			assert.Equal(t, len(bp.Resources), cs.Counts()[provider.ActionDelete])
			return no
		}
	})
	require.ErrorIs(t, err, no)
	assert.Zero(t, d.Counts().Writes)

	res, err = eng.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) {
		o.AllowDataLoss = allow
		o.Confirm = func(*provider.Changeset) error { return nil }
	})
	require.NoError(t, err)
	assert.Equal(t, len(bp.Resources), res.Deleted)

	_, err = eng.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) {
		o.Confirm = func(*provider.Changeset) error { t.Error("asked to confirm deleting nothing"); return nil }
	})
	require.NoError(t, err)
}

// Values gives the spec before and after each change, in logical ids,
// user data hidden.
func TestChangesetValues(t *testing.T) {
	t.Parallel()
	d := fake.New()
	eng := provider.NewEngine(d)
	bp := threeTier("shop", "#!/bin/sh\necho secret-value")
	cs, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	ch, ok := cs.Change("subnet/web/a")
	require.True(t, ok)
	before, after := cs.Values(ch)
	assert.Nil(t, before, "a create has no before")
	assert.JSONEq(t, `{"net":"net/main","cidr":"10.0.0.0/24","zone":"fake-1a","tier":"web","public":true}`, string(after))

	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	for i, r := range bp.Resources {
		if r.ID == "cluster/web" {
			bp.Resources[i].Cluster.Desired++
		}
	}
	cs, err = eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	ch, ok = cs.Change("cluster/web")
	require.True(t, ok)
	require.Equal(t, provider.ActionUpdate, ch.Action)
	before, after = cs.Values(ch)
	for _, v := range []string{string(before), string(after)} {
		assert.Contains(t, v, `"user_data":"(sensitive)"`)
		assert.NotContains(t, v, "secret-value")
		assert.Contains(t, v, `"security_groups":["security_group/web"]`, "refs as logical ids")
	}
	assert.NotEqual(t, string(before), string(after))
}
