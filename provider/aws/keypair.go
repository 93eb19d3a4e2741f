package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// keyPairObserved reads a key pair back. Its provider id is its name: the
// launch template's KeyName takes the name, DeleteKeyPair takes either.
// The public key is the one DescribeKeyPairs returns with
// IncludePublicKey, in canonical form (type and key, no comment), as
// Build writes it.
func keyPairObserved(k ec2types.KeyPairInfo) driver.Observed {
	name := awssdk.ToString(k.KeyName)
	o := observed(blueprint.KindKeyPair, name, fromEC2Tags(k.Tags), true, "available")
	o.Resource.KeyPair = &blueprint.KeyPairSpec{Name: name, PublicKey: tier.PublicKey(awssdk.ToString(k.PublicKey))}
	return o
}

func keyPairs(o *ec2.DescribeKeyPairsOutput) []ec2types.KeyPairInfo { return o.KeyPairs }

func keyPairTags(k *ec2types.KeyPairInfo) []ec2types.Tag { return k.Tags }

// createKeyPair imports the public key (ImportKeyPair; only the public
// key is ever sent), or returns the key pair of an earlier try, found by
// its tags: ImportKeyPair takes no client token, and a name in use
// answers InvalidKeyPair.Duplicate.
func (d *Driver) createKeyPair(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.KeyPair
	out, err := d.EC2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{Filters: logicalFilters(req), IncludePublicKey: awssdk.Bool(true)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeKeyPairs", "key_pair", req.Resource.ID, err)
	}
	if found := earlier(req, out.KeyPairs, keyPairTags); found != nil {
		return keyPairObserved(*found), nil
	}
	_, err = d.EC2.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: awssdk.String(s.Name), PublicKeyMaterial: []byte(s.PublicKey),
		TagSpecifications: tagSpec(ec2types.ResourceTypeKeyPair, req.Tags)})
	if err != nil {
		return driver.Observed{}, mapErr("ImportKeyPair", "key_pair", req.Resource.ID, err)
	}
	return d.readKeyPair(ctx, s.Name)
}

func (d *Driver) readKeyPair(ctx context.Context, name string) (driver.Observed, error) {
	out, err := d.EC2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{name}, IncludePublicKey: awssdk.Bool(true)})
	return readOne("DescribeKeyPairs", blueprint.KindKeyPair, name, out, err, keyPairs, keyPairObserved)
}

// listKeyPairs lists the deployment's key pairs; DescribeKeyPairs has no
// pages.
func (d *Driver) listKeyPairs(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	out, err := d.EC2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{Filters: ownerFilters(q, ""), IncludePublicKey: awssdk.Bool(true)})
	if err != nil {
		return nil, mapErr("DescribeKeyPairs", string(blueprint.KindKeyPair), "", err)
	}
	var res []driver.Observed
	for _, k := range ownedOnly(out.KeyPairs, keyPairTags, q.Deployment) {
		res = append(res, keyPairObserved(k))
	}
	return res, nil
}

// deleteKeyPair deletes the key pair by name. AWS answers the delete of
// a missing key pair with success.
func (d *Driver) deleteKeyPair(ctx context.Context, cur driver.Observed) error {
	_, err := d.EC2.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: awssdk.String(cur.ID)})
	if err = mapErr("DeleteKeyPair", "key_pair", cur.ID, err); isCode(err, driver.NotFound) {
		return nil
	}
	return err
}
