package outscale

import (
	"context"
	"encoding/base64"
	"net/http"

	osc "github.com/outscale/osc-sdk-go/v2"
	"golang.org/x/crypto/ssh"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// The keypairs of clusters (kind key_pair). A keypair's provider id is its
// name: CreateVms takes KeypairName, DeleteKeypair and ReadKeypairs take
// the name too; its tags hang on its KeypairId. ReadKeypairs returns the
// key's MD5 fingerprint, never the key: the spec reads back without
// PublicKey (a write-only field), and the hash in the name tells another
// key.

const keyPairKind = string(blueprint.KindKeyPair)

// listKeypairs lists the deployment's keypairs (by tag), or those named
// names.
func (d *Driver) listKeypairs(ctx context.Context, q driver.Query, names []string) ([]driver.Observed, error) {
	f := osc.FiltersKeypair{Tags: ownerFilter(q), KeypairNames: idFilter(names)}
	kps, err := d.readKeypairs(ctx, f, first(names))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, kps, func(k osc.Keypair, tags map[string]string) driver.Observed {
		return keypairObserved(k, tags)
	}), nil
}

// readKeypairs reads every page of the keypairs f selects.
func (d *Driver) readKeypairs(ctx context.Context, f osc.FiltersKeypair, id string) ([]osc.Keypair, error) {
	return pages(func(token *string) ([]osc.Keypair, string, error) {
		req := osc.ReadKeypairsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadKeypairs", keyPairKind, id, func(ctx context.Context) (osc.ReadKeypairsResponse, *http.Response, error) {
			return d.api.KeypairApi.ReadKeypairs(ctx).ReadKeypairsRequest(req).Execute()
		})
		return resp.GetKeypairs(), resp.GetNextPageToken(), err
	})
}

func keypairObserved(k osc.Keypair, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindKeyPair, k.GetKeypairName(), tags)
	o.Resource.KeyPair = &blueprint.KeyPairSpec{Name: k.GetKeypairName()}
	o.Status, o.Ready = k.GetKeypairType()+" "+k.GetKeypairFingerprint(), true
	return o
}

// createKeypair imports the public key (CreateKeypair with PublicKey, the
// Base64 of the authorized_keys line; never a private key) and tags the
// keypair. CreateKeypair has no client token: a keypair of that name an
// earlier try made (its answer lost, or its tags not written) is taken
// when it has our key's fingerprint and no other deployment's tags; any
// other keypair of that name is AlreadyExists.
func (d *Driver) createKeypair(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if o, ok, err := d.findOwned(ctx, req, d.listKeypairs); err != nil || ok {
		return o, err
	}
	s := req.Resource.KeyPair
	pub := base64.StdEncoding.EncodeToString([]byte(s.PublicKey))
	in := osc.CreateKeypairRequest{KeypairName: s.Name, PublicKey: &pub}
	resp, err := call(ctx, d, "CreateKeypair", keyPairKind, req.Resource.ID, func(ctx context.Context) (osc.CreateKeypairResponse, *http.Response, error) {
		return d.api.KeypairApi.CreateKeypair(ctx).CreateKeypairRequest(in).Execute()
	})
	created := resp.GetKeypair()
	kp := osc.Keypair{KeypairId: created.KeypairId, KeypairName: created.KeypairName, KeypairType: created.KeypairType,
		KeypairFingerprint: created.KeypairFingerprint}
	if err != nil {
		if kp, err = d.earlierKeypair(ctx, req, err); err != nil {
			return driver.Observed{}, err
		}
	}
	id := kp.GetKeypairId()
	if err := d.tagNew(ctx, blueprint.KindKeyPair, id, req.Tags, func(ctx context.Context) error {
		return d.deleteKeypairNamed(ctx, driver.Observed{ID: s.Name})
	}); err != nil {
		return driver.Observed{}, err
	}
	return keypairObserved(kp, req.Tags), nil
}

// earlierKeypair decides what a failed CreateKeypair means: a keypair of
// the name with our key's fingerprint, untagged or tagged with our
// deployment, is an earlier try's (its answer lost), to take; err stands
// otherwise.
func (d *Driver) earlierKeypair(ctx context.Context, req driver.Request, err error) (osc.Keypair, error) {
	if !lostAnswer(err) && driver.CodeOf(err) != driver.AlreadyExists {
		return osc.Keypair{}, err
	}
	s := req.Resource.KeyPair
	kps, rerr := d.readKeypairs(ctx, osc.FiltersKeypair{KeypairNames: &[]string{s.Name}}, s.Name)
	if rerr != nil {
		return osc.Keypair{}, err
	}
	want := keyFingerprint(s.PublicKey)
	for _, kp := range kps {
		tags := tagMap(kp.GetTags())
		if kp.GetKeypairName() == s.Name && want != "" && kp.GetKeypairFingerprint() == want && (tags[driver.TagDeployment] == "" || tags[driver.TagDeployment] == req.Deployment) {
			return kp, nil
		}
	}
	return osc.Keypair{}, err
}

// keyFingerprint is the fingerprint OUTSCALE reports for k: the MD5 of
// the key's wire form, "aa:bb:..." (RFC 4716); "" when k does not parse.
func keyFingerprint(k tier.PublicKey) string {
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k))
	if err != nil {
		return ""
	}
	return fingerprintOf(pub.Marshal())
}

// deleteKeypairNamed deletes the keypair cur.ID, its name. VMs started
// with it keep the key they have.
func (d *Driver) deleteKeypairNamed(ctx context.Context, cur driver.Observed) error {
	in := osc.DeleteKeypairRequest{KeypairName: &cur.ID}
	_, err := call(ctx, d, "DeleteKeypair", keyPairKind, cur.ID, func(ctx context.Context) (osc.DeleteKeypairResponse, *http.Response, error) {
		return d.api.KeypairApi.DeleteKeypair(ctx).DeleteKeypairRequest(in).Execute()
	})
	return err
}
