package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Elastic IPs are identified by their allocation id ("eipalloc-...").
func eipObserved(a ec2types.Address) driver.Observed {
	tags := fromEC2Tags(a.Tags)
	o := observed(blueprint.KindPublicIP, awssdk.ToString(a.AllocationId), tags, true, "allocated")
	if awssdk.ToString(a.AssociationId) != "" {
		o.Status = "associated"
	}
	o.Resource.PublicIP = &blueprint.PublicIPSpec{Zone: tags[tagZone]}
	return o
}

func (d *Driver) createElasticIP(ctx context.Context, req driver.Request) (driver.Observed, error) {
	out, err := lookUp(ctx, d.EC2.DescribeAddresses, &ec2.DescribeAddressesInput{Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeAddresses", "public_ip", req.Resource.ID, err)
	}
	if a := earlier(req, out.Addresses, func(a *ec2types.Address) []ec2types.Tag { return a.Tags }); a != nil {
		return eipObserved(*a), nil
	}
	tags := withTags(req.Tags, tagZone, req.Resource.PublicIP.Zone)
	c, err := d.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{
		Domain:            ec2types.DomainTypeVpc,
		TagSpecifications: tagSpec(ec2types.ResourceTypeElasticIp, tags),
	})
	if err != nil {
		return driver.Observed{}, mapErr("AllocateAddress", "public_ip", req.Resource.ID, err)
	}
	return eipObserved(ec2types.Address{AllocationId: c.AllocationId, PublicIp: c.PublicIp, Domain: c.Domain, Tags: ec2Tags(tags)}), nil
}

func (d *Driver) readElasticIP(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{id}})
	return readOne("DescribeAddresses", blueprint.KindPublicIP, id, out, err,
		func(o *ec2.DescribeAddressesOutput) []ec2types.Address { return o.Addresses }, eipObserved)
}

func (d *Driver) listElasticIPs(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	out, err := d.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: ownerFilters(q, "")})
	if err != nil {
		return nil, mapErr("DescribeAddresses", "public_ip", "", err)
	}
	var res []driver.Observed
	for _, a := range out.Addresses {
		res = append(res, eipObserved(a))
	}
	return res, nil
}

// deleteElasticIP releases the address, retrying while a NAT gateway that
// is going away still holds it (InvalidIPAddress.InUse).
func (d *Driver) deleteElasticIP(ctx context.Context, cur driver.Observed) error {
	err := d.retryWhile(ctx, driver.Dependency, func() error {
		_, err := d.EC2.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: awssdk.String(cur.ID)})
		return mapErr("ReleaseAddress", "public_ip", cur.ID, err)
	})
	if isCode(err, driver.NotFound) {
		return nil
	}
	if isCode(err, driver.Dependency) {
		if pe, ok := err.(*driver.Error); ok {
			if a, rerr := d.EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{cur.ID}}); rerr == nil {
				for _, x := range a.Addresses {
					if id := awssdk.ToString(x.NetworkInterfaceId); id != "" {
						pe.Blockers = append(pe.Blockers, driver.Blocker{Kind: "network_interface", ID: id})
					}
				}
			}
		}
	}
	return err
}
