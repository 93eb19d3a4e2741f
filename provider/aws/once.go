package aws

import (
	"context"
	"errors"

	"github.com/aws/smithy-go/middleware"

	"github.com/archkit/archkit/provider/driver"
)

// sentOnce lists the write calls that a repeat can make twice, or fail
// on what the first call did: creates without a client token (CreateVpc,
// CreateSubnet, CreateInternetGateway, AllocateAddress,
// CreateSecurityGroup ...), creates whose token moto ignores, and the
// calls a repeat refuses once they took effect (an authorize answered
// InvalidPermission.Duplicate, a revoke InvalidPermission.NotFound, an
// attach Resource.AlreadyAssociated).
var sentOnce = map[string]bool{
	"CreateVpc": true, "CreateSubnet": true, "CreateInternetGateway": true, "AttachInternetGateway": true,
	"AllocateAddress": true, "CreateNatGateway": true, "CreateRouteTable": true, "CreateRoute": true,
	"AssociateRouteTable": true, "ReplaceRouteTableAssociation": true, "CreateSecurityGroup": true,
	"AuthorizeSecurityGroupIngress": true, "AuthorizeSecurityGroupEgress": true,
	"RevokeSecurityGroupIngress": true, "RevokeSecurityGroupEgress": true,
	"CreateNetworkAcl": true, "CreateNetworkAclEntry": true, "CreateLaunchTemplate": true,
	"CreateLaunchTemplateVersion": true, "CreateLoadBalancer": true, "CreateTargetGroup": true,
	"CreateListener": true, "CreateAutoScalingGroup": true, "CreateDBSubnetGroup": true,
	"CreateDBInstance": true, "CreateDBInstanceReadReplica": true,
	"CreateVpnGateway": true, "AttachVpnGateway": true, "CreateCustomerGateway": true,
	"CreateVpnConnection": true, "CreateVpnConnectionRoute": true, "ImportKeyPair": true, "CreateFlowLogs": true,
	"CreateVpcPeeringConnection": true, "AcceptVpcPeeringConnection": true, "CopyImage": true,
	"CreateVpcEndpoint": true, "ModifyVpcEndpoint": true,
	"CreateBackupVault": true, "CreateBackupPlan": true, "CreateBackupSelection": true,
	"CreateCacheSubnetGroup": true, "CreateReplicationGroup": true, "CreateCacheCluster": true,
	"CreateSecret": true, "CreateBroker": true, // moto ignores ClientRequestToken and CreatorRequestId
}

// maybeDone is the error of a call of sentOnce whose outcome is unknown:
// no answer came (a connection reset, a timeout) or the server failed
// (5xx), so the call may have taken effect. It tells the SDK's retryer
// not to send the call again (RetryableError false, which the SDK's
// standard and adaptive retryers honour); the driver maps it to a
// Retryable [*driver.Error], and the engine's retry calls the driver's
// Create or Update again, which first looks up by tags (logical id,
// deployment, token) what the lost call made.
type maybeDone struct{ err error }

func (e *maybeDone) Error() string {
	return e.err.Error() + " (the call may have taken effect: not sent again blindly)"
}

func (e *maybeDone) Unwrap() error { return e.err }

// RetryableError reports false: the SDK must not repeat the call.
func (e *maybeDone) RetryableError() bool { return false }

// ambiguous reports whether err leaves the outcome of a call unknown: no
// answer or a server failure, not a throttle (a throttled call did not
// run) and not the caller's own cancellation.
func ambiguous(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch errorCode(err) {
	case driver.Unavailable, driver.Internal, driver.Unknown:
		return true
	}
	return false
}

// sendOnceMiddleware runs inside each attempt of the SDK's retry loop
// (after "Retry" in the finalize step) and marks the ambiguous failures
// of sentOnce calls as not to be repeated by the SDK. Throttles stay
// retryable.
var sendOnceMiddleware = middleware.FinalizeMiddlewareFunc("archkitSendOnce", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleFinalize(ctx, in)
	if err != nil && sentOnce[middleware.GetOperationName(ctx)] && ambiguous(err) {
		err = &maybeDone{err: err}
	}
	return out, md, err
})

// sendOnce adds sendOnceMiddleware to a client's stack.
func sendOnce(s *middleware.Stack) error {
	if _, ok := s.Finalize.Get("Retry"); ok {
		return s.Finalize.Insert(sendOnceMiddleware, "Retry", middleware.After)
	}
	return s.Finalize.Add(sendOnceMiddleware, middleware.After)
}
