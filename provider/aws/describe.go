package aws

import (
	"context"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// listAll reads every page of a Describe call through its SDK paginator and
// maps each item to an Observed: the body of List for the EC2 kinds.
//
//	p := ec2.NewDescribeSubnetsPaginator(d.EC2, in)
//	return listAll(ctx, p.HasMorePages, p.NextPage, "DescribeSubnets", blueprint.KindSubnet,
//		func(o *ec2.DescribeSubnetsOutput) []ec2types.Subnet { return o.Subnets }, subnetObserved)
func listAll[Out, Opt, Item any](ctx context.Context, more func() bool, next func(context.Context, ...func(Opt)) (Out, error),
	op string, kind blueprint.Kind, items func(Out) []Item, observe func(Item) driver.Observed) ([]driver.Observed, error) {
	var res []driver.Observed
	for more() {
		out, err := next(ctx)
		if err != nil {
			return nil, mapErr(op, string(kind), "", err)
		}
		for _, it := range items(out) {
			res = append(res, observe(it))
		}
	}
	return res, nil
}

// allItems returns the items of every page of a paginator, unmapped
// errors: what a shared read ([driver.Shared]) keeps.
func allItems[Out, Opt, Item any](ctx context.Context, more func() bool, next func(context.Context, ...func(Opt)) (Out, error), items func(Out) []Item) ([]Item, error) {
	var res []Item
	for more() {
		out, err := next(ctx)
		if err != nil {
			return nil, err
		}
		res = append(res, items(out)...)
	}
	return res, nil
}

// readOne turns the answer of a Describe call by id into the Observed of
// its one item: the body of Read for the EC2 kinds. No item is NotFound.
//
//	out, err := d.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
//	return readOne("DescribeSubnets", blueprint.KindSubnet, id, out, err,
//		func(o *ec2.DescribeSubnetsOutput) []ec2types.Subnet { return o.Subnets }, subnetObserved)
func readOne[Out, Item any](op string, kind blueprint.Kind, id string, out Out, err error,
	items func(Out) []Item, observe func(Item) driver.Observed) (driver.Observed, error) {
	if err != nil {
		return driver.Observed{}, mapErr(op, string(kind), id, err)
	}
	found := items(out)
	if len(found) == 0 {
		return driver.Observed{}, notFound(op, kind, id)
	}
	return observe(found[0]), nil
}
