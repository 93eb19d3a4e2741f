package aws

import (
	"context"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/middleware"

	"github.com/archkit/archkit/provider/ratelimit"
)

// meter adds to a client's stack the middleware that reports each request
// to the rate limiter of its context (the engine's, see package
// ratelimit), named by its service and operation, so that it waits for
// the tokens of the buckets AWS meters it in. It runs after the SDK's
// retryer: every attempt takes its tokens, as AWS counts them.
//
// A stack without a retryer is a presigner's (the URL the SDK signs for
// a cross-region read replica's source): it sends nothing, and is not
// metered.
func meter(stack *middleware.Stack) error {
	if _, ok := stack.Finalize.Get("Retry"); !ok {
		return nil
	}
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("archkit.RateLimitFilter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if unfiltered(in.Parameters) {
				ctx = middleware.WithStackValue(ctx, unfilteredKey{}, true)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	if err != nil {
		return err
	}
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("archkit.RateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c := ratelimit.Call{Service: awsmiddleware.GetServiceID(ctx), Action: awsmiddleware.GetOperationName(ctx)}
			c.Unfiltered, _ = middleware.GetStackValue(ctx, unfilteredKey{}).(bool)
			if err := ratelimit.Wait(ctx, c); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			return next.HandleFinalize(ctx, in)
		}), "Retry", middleware.After)
}

type unfilteredKey struct{}

// unfiltered reports an EC2 describe request that EC2 meters in its
// smaller bucket when it carries neither a filter nor pagination.
func unfiltered(params any) bool {
	switch p := params.(type) {
	case *ec2.DescribeSecurityGroupsInput:
		return len(p.Filters) == 0 && p.MaxResults == nil && p.NextToken == nil
	case *ec2.DescribeInstancesInput:
		return len(p.Filters) == 0 && p.MaxResults == nil && p.NextToken == nil
	case *ec2.DescribeNetworkInterfacesInput:
		return len(p.Filters) == 0 && p.MaxResults == nil && p.NextToken == nil
	}
	return false
}
