package outscale

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/provider"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		e        APIError
		want     provider.Code
		notReady bool
		sentinel error
	}{
		{"network error", APIError{Op: "ReadNets", Err: errors.New("connection refused")}, provider.Unavailable, true, provider.ErrUnavailable},
		{"auth", APIError{Op: "ReadNets", Status: 401, Type: "AccessDenied", Code: "1"}, provider.Auth, false, provider.ErrAuth},
		{"throttled per account", APIError{Op: "CreateNet", Status: 429, Type: "ErrorOperationThrottledPerAccount", Code: "24"}, provider.Throttled, true, provider.ErrThrottled},
		{"throttled per call", APIError{Op: "CreateNet", Status: 429, Type: "ErrorOperationThrottledPerCall", Code: "25"}, provider.Throttled, true, provider.ErrThrottled},
		{"throttled platform", APIError{Op: "CreateNet", Status: 503, Type: "ErrorOperationThrottledWholePlatform", Code: "6"}, provider.Throttled, true, provider.ErrThrottled},
		{"unavailable", APIError{Op: "CreateNet", Status: 503}, provider.Unavailable, true, provider.ErrUnavailable},
		{"gateway timeout", APIError{Op: "CreateNet", Status: 504}, provider.Unavailable, true, provider.ErrUnavailable},
		{"internal", APIError{Op: "CreateNet", Status: 500, Type: "InternalError", Code: "2000"}, provider.Internal, false, provider.ErrInternal},
		{"not implemented", APIError{Op: "CreateVmGroup", Status: 501}, provider.Unsupported, false, provider.ErrUnsupported},
		{"unknown vm", APIError{Op: "DeleteVms", Status: 400, Type: "InvalidResource", Code: "5063"}, provider.NotFound, false, provider.ErrNotFound},
		{"unknown lb", APIError{Op: "ReadLoadBalancers", Status: 400, Code: "5030"}, provider.NotFound, false, provider.ErrNotFound},
		{"bad value", APIError{Op: "CreateNet", Status: 400, Type: "InvalidParameterValue", Code: "4047"}, provider.Invalid, false, provider.ErrInvalid},
		{"missing", APIError{Op: "CreateNet", Status: 400, Type: "MissingParameter", Code: "7000"}, provider.Invalid, false, provider.ErrInvalid},
		{"quota", APIError{Op: "CreateNet", Status: 409, Type: "TooManyResources (QuotaExceeded)", Code: "10023"}, provider.Quota, false, provider.ErrQuota},
		{"sg name exists", APIError{Op: "CreateSecurityGroup", Status: 409, Type: "ResourceConflict", Code: "9008"}, provider.AlreadyExists, false, provider.ErrAlreadyExists},
		{"lb name exists", APIError{Op: "CreateLoadBalancer", Status: 409, Code: "9013"}, provider.AlreadyExists, false, provider.ErrAlreadyExists},
		{"subnet overlap", APIError{Op: "CreateSubnet", Status: 409, Code: "9044"}, provider.AlreadyExists, false, provider.ErrAlreadyExists},
		{"already linked", APIError{Op: "LinkRouteTable", Status: 409, Code: "9029"}, provider.AlreadyExists, false, provider.ErrAlreadyExists},
		{"ip in use on delete", APIError{Op: "DeletePublicIp", Status: 409, Code: "9029"}, provider.Dependency, false, provider.ErrDependency},
		{"sg in use", APIError{Op: "DeleteSecurityGroup", Status: 409, Code: "9085"}, provider.Dependency, false, provider.ErrDependency},
		{"subnet in use", APIError{Op: "DeleteSubnet", Status: 409, Code: "9045"}, provider.Dependency, false, provider.ErrDependency},
		{"nat too early", APIError{Op: "CreateNatService", Status: 409, Code: "9045"}, provider.Unavailable, true, provider.ErrUnavailable},
		{"nat per subnet", APIError{Op: "CreateNatService", Status: 409, Code: "9056"}, provider.AlreadyExists, false, provider.ErrAlreadyExists},
		{"igw unlink nat", APIError{Op: "UnlinkInternetService", Status: 409, Code: "1018"}, provider.Dependency, true, provider.ErrDependency},
		{"igw unlink ips", APIError{Op: "UnlinkInternetService", Status: 409, Code: "1004"}, provider.Dependency, true, provider.ErrDependency},
		{"igw unlink lb", APIError{Op: "UnlinkInternetService", Status: 409, Code: "1005"}, provider.Dependency, true, provider.ErrDependency},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := classify(&tc.e)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.notReady, notReady(&tc.e, got))
			err := wrap(tc.e.Op, "net", "vpc-1", &tc.e)
			assert.ErrorIs(t, err, tc.sentinel)
			var ae *APIError
			assert.ErrorAs(t, err, &ae)
		})
	}
}

func TestAPIErrorMessage(t *testing.T) {
	t.Parallel()
	e := &APIError{Op: "CreateSubnet", Status: http.StatusConflict, Code: "9044", Type: "ResourceConflict", Details: "overlaps", RequestID: "r-1"}
	assert.Equal(t, "outscale: CreateSubnet: HTTP 409 ResourceConflict (code 9044): overlaps [request r-1]", e.Error())
	n := &APIError{Op: "ReadNets", Err: errors.New("dial tcp: refused")}
	assert.Equal(t, "outscale: ReadNets: dial tcp: refused", n.Error())
}
