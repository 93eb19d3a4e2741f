package aws

import (
	"context"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
)

// listAll reads every page of a Describe call through its SDK paginator and
// maps each item to an Observed: the body of List for the EC2 kinds.
//
//	p := ec2.NewDescribeSubnetsPaginator(d.EC2, in)
//	return listAll(ctx, p.HasMorePages, p.NextPage, "DescribeSubnets", pattern.KindSubnet,
//		func(o *ec2.DescribeSubnetsOutput) []ec2types.Subnet { return o.Subnets }, subnetObserved)
func listAll[Out, Opt, Item any](ctx context.Context, more func() bool, next func(context.Context, ...func(Opt)) (Out, error),
	op string, kind pattern.Kind, items func(Out) []Item, observe func(Item) provider.Observed) ([]provider.Observed, error) {
	var res []provider.Observed
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
