package aws

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/archkit/archkit/provider/driver"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// mapErr wraps an SDK error into a *driver.Error for op on kind/id. It
// returns nil for a nil err.
//
// The error is not Retryable: the SDK's retryer has already spent its
// attempts on a throttle or an outage (see [Options.RetryMaxAttempts]), so
// the engine does not retry it again; its Code still says Throttled or
// Unavailable. The one exception is a call the SDK sent once because its
// outcome is unknown ([maybeDone]): the engine retries that, through the
// driver's look-up by tags before any new attempt.
func mapErr(op, kind, id string, err error) error {
	if err == nil {
		return nil
	}
	var pe *driver.Error
	if errors.As(err, &pe) {
		return err
	}
	e := driver.NewError(op, kind, id, errorCode(err), err)
	var once *maybeDone
	e.Retryable = errors.As(err, &once)
	return e
}

// errorCode is the one place that turns AWS error codes into provider
// codes.
func errorCode(err error) driver.Code {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return driver.Unavailable
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code := ae.ErrorCode()
		switch {
		case code == "RequestLimitExceeded", code == "Throttling", code == "ThrottlingException",
			code == "ThrottledException", code == "RequestThrottled", code == "RequestThrottledException",
			code == "TooManyRequestsException", code == "EC2ThrottledException", code == "SlowDown":
			return driver.Throttled
		case code == "AuthFailure", code == "UnauthorizedOperation", code == "AccessDenied",
			code == "AccessDeniedException", code == "InvalidClientTokenId", code == "SignatureDoesNotMatch",
			code == "ExpiredToken", code == "OptInRequired", code == "ForbiddenException", code == "UnauthorizedException":
			return driver.Auth
		case code == "DependencyViolation", code == "InvalidIPAddress.InUse", code == "ResourceInUse",
			code == "ResourceInUseFault", code == "InvalidDBSubnetGroupStateFault", code == "InvalidDBInstanceState",
			code == "InvalidDBInstanceStateFault", code == "ScalingActivityInProgress", code == "ScalingActivityInProgressFault",
			code == "SubnetAlreadyInUse", code == "IncorrectState", code == "DeleteConflict",
			code == "CacheSubnetGroupInUse", code == "InvalidReplicationGroupState", code == "InvalidCacheClusterState", code == "SubnetInUse":
			return driver.Dependency
		case strings.HasSuffix(code, ".NotFound"), strings.HasSuffix(code, "NotFound"),
			strings.HasSuffix(code, "NotFoundFault"), strings.HasSuffix(code, "NotFoundException"), code == "NoSuchEntity",
			strings.HasSuffix(code, ".Malformed") && strings.Contains(code, "ID"):
			return driver.NotFound
		case strings.HasSuffix(code, ".Duplicate"), strings.Contains(code, "AlreadyExists"),
			strings.HasPrefix(code, "Duplicate"), code == "Resource.AlreadyAssociated",
			code == "IdempotentParameterMismatch", code == "ResourceExistsException", code == "ConflictException":
			return driver.AlreadyExists
		case strings.HasSuffix(code, "LimitExceeded"), strings.Contains(code, "QuotaExceeded"),
			code == "AddressLimitExceeded", code == "TooManyLoadBalancers", code == "TooManyTargetGroups",
			code == "InsufficientInstanceCapacity", code == "StorageQuotaExceeded":
			return driver.Quota
		case strings.HasPrefix(code, "InvalidParameter"), code == "ValidationError", code == "MissingParameter",
			code == "InvalidVpc.Range", code == "InvalidSubnet.Range", code == "InvalidSubnet.Conflict",
			strings.HasPrefix(code, "Invalid"), strings.HasPrefix(code, "Unsupported"),
			code == "DBSubnetGroupDoesNotCoverEnoughAZs", code == "Gateway.NotAttached",
			code == "OperationNotPermitted", code == "DryRunOperation", code == "BadRequestException":
			return driver.Invalid
		case code == "InternalError", code == "InternalFailure", code == "ServiceUnavailable",
			code == "Unavailable", code == "RequestTimeout", code == "RequestTimeoutException":
			return driver.Unavailable
		}
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return driver.Unavailable
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return driver.Unavailable
	}
	if errors.As(err, &ae) {
		if ae.ErrorFault() == smithy.FaultServer {
			return driver.Unavailable
		}
		return driver.Invalid
	}
	return driver.Unknown
}

// isCode reports whether err maps to code.
func isCode(err error, code driver.Code) bool {
	return err != nil && errorCode(err) == code
}

// awsCode returns the AWS error code of err, or "".
func awsCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
