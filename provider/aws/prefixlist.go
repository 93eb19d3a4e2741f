package aws

import (
	"context"
	"sync"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/provider/driver"
)

// prefixLists caches the AWS-managed prefix lists of the driver's region
// by service ("s3" <-> "pl-63a5400a"): a security-group rule names a
// service's list in a Blueprint ([blueprint.RuleSpec.PrefixList]) and
// its id in EC2. The lists of a region never change id.
type prefixLists struct {
	mu     sync.Mutex
	byName map[string]string // service -> id
	byID   map[string]string // id -> service
}

func (p *prefixLists) remember(service, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byName == nil {
		p.byName, p.byID = map[string]string{}, map[string]string{}
	}
	p.byName[service], p.byID[id] = id, service
}

func (p *prefixLists) lookup(service, id string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if service != "" {
		v, ok := p.byName[service]
		return v, ok
	}
	v, ok := p.byID[id]
	return v, ok
}

// prefixListID returns the id of the AWS-managed prefix list of service
// in the driver's region ("com.amazonaws.<region>.s3"), read once with
// DescribeManagedPrefixLists.
func (d *Driver) prefixListID(ctx context.Context, service string) (string, error) {
	if id, ok := d.prefixLists.lookup(service, ""); ok {
		return id, nil
	}
	name := "com.amazonaws." + d.region + "." + service
	out, err := d.EC2.DescribeManagedPrefixLists(ctx, &ec2.DescribeManagedPrefixListsInput{Filters: []ec2types.Filter{filter("prefix-list-name", name)}})
	if err != nil {
		return "", mapErr("DescribeManagedPrefixLists", "security_group_rules", name, err)
	}
	for _, l := range out.PrefixLists {
		if awssdk.ToString(l.PrefixListName) == name {
			id := awssdk.ToString(l.PrefixListId)
			d.prefixLists.remember(service, id)
			return id, nil
		}
	}
	return "", driver.NewError("DescribeManagedPrefixLists", "security_group_rules", name, driver.NotFound, nil)
}

// prefixListService returns the service of an AWS-managed prefix list of
// the driver's region, or the id itself for any other list.
func (d *Driver) prefixListService(ctx context.Context, id string) (string, error) {
	if s, ok := d.prefixLists.lookup("", id); ok {
		return s, nil
	}
	out, err := d.EC2.DescribeManagedPrefixLists(ctx, &ec2.DescribeManagedPrefixListsInput{PrefixListIds: []string{id}})
	if err != nil {
		return "", mapErr("DescribeManagedPrefixLists", "security_group_rules", id, err)
	}
	prefix := "com.amazonaws." + d.region + "."
	for _, l := range out.PrefixLists {
		if name := awssdk.ToString(l.PrefixListName); awssdk.ToString(l.PrefixListId) == id && len(name) > len(prefix) && name[:len(prefix)] == prefix {
			d.prefixLists.remember(name[len(prefix):], id)
			return name[len(prefix):], nil
		}
	}
	return id, nil
}
