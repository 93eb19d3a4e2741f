package outscale

import (
	"errors"
	"net/http"
	"testing"

	"github.com/archkit/archkit/provider/driver"
	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		e        APIError
		want     driver.Code
		notReady bool
		sentinel error
	}{
		{"network error", APIError{Op: "ReadNets", Err: errors.New("connection refused")}, driver.Unavailable, true, driver.ErrUnavailable},
		{"auth", APIError{Op: "ReadNets", Status: 401, Type: "AccessDenied", Code: "1"}, driver.Auth, false, driver.ErrAuth},
		{"throttled per account", APIError{Op: "CreateNet", Status: 429, Type: "ErrorOperationThrottledPerAccount", Code: "24"}, driver.Throttled, true, driver.ErrThrottled},
		{"throttled per call", APIError{Op: "CreateNet", Status: 429, Type: "ErrorOperationThrottledPerCall", Code: "25"}, driver.Throttled, true, driver.ErrThrottled},
		{"throttled platform", APIError{Op: "CreateNet", Status: 503, Type: "ErrorOperationThrottledWholePlatform", Code: "6"}, driver.Throttled, true, driver.ErrThrottled},
		{"unavailable", APIError{Op: "CreateNet", Status: 503}, driver.Unavailable, true, driver.ErrUnavailable},
		{"gateway timeout", APIError{Op: "CreateNet", Status: 504}, driver.Unavailable, true, driver.ErrUnavailable},
		{"internal", APIError{Op: "CreateNet", Status: 500, Type: "InternalError", Code: "2000"}, driver.Internal, false, driver.ErrInternal},
		{"not implemented", APIError{Op: "CreateVmGroup", Status: 501}, driver.Unsupported, false, driver.ErrUnsupported},
		{"unknown vm", APIError{Op: "DeleteVms", Status: 400, Type: "InvalidResource", Code: "5063"}, driver.NotFound, false, driver.ErrNotFound},
		{"unknown lb", APIError{Op: "ReadLoadBalancers", Status: 400, Code: "5030"}, driver.NotFound, false, driver.ErrNotFound},
		{"bad value", APIError{Op: "CreateNet", Status: 400, Type: "InvalidParameterValue", Code: "4047"}, driver.Invalid, false, driver.ErrInvalid},
		{"missing", APIError{Op: "CreateNet", Status: 400, Type: "MissingParameter", Code: "7000"}, driver.Invalid, false, driver.ErrInvalid},
		{"quota", APIError{Op: "CreateNet", Status: 409, Type: "TooManyResources (QuotaExceeded)", Code: "10023"}, driver.Quota, false, driver.ErrQuota},
		{"sg name exists", APIError{Op: "CreateSecurityGroup", Status: 409, Type: "ResourceConflict", Code: "9008"}, driver.AlreadyExists, false, driver.ErrAlreadyExists},
		{"lb name exists", APIError{Op: "CreateLoadBalancer", Status: 409, Code: "9013"}, driver.AlreadyExists, false, driver.ErrAlreadyExists},
		{"subnet overlap", APIError{Op: "CreateSubnet", Status: 409, Code: "9044"}, driver.AlreadyExists, false, driver.ErrAlreadyExists},
		{"already linked", APIError{Op: "LinkRouteTable", Status: 409, Code: "9029"}, driver.AlreadyExists, false, driver.ErrAlreadyExists},
		{"ip in use on delete", APIError{Op: "DeletePublicIp", Status: 409, Code: "9029"}, driver.Dependency, false, driver.ErrDependency},
		{"sg in use", APIError{Op: "DeleteSecurityGroup", Status: 409, Code: "9085"}, driver.Dependency, false, driver.ErrDependency},
		{"subnet in use", APIError{Op: "DeleteSubnet", Status: 409, Code: "9045"}, driver.Dependency, false, driver.ErrDependency},
		{"nat too early", APIError{Op: "CreateNatService", Status: 409, Code: "9045"}, driver.Unavailable, true, driver.ErrUnavailable},
		{"nat per subnet", APIError{Op: "CreateNatService", Status: 409, Code: "9056"}, driver.AlreadyExists, false, driver.ErrAlreadyExists},
		{"igw unlink nat", APIError{Op: "UnlinkInternetService", Status: 409, Code: "1018"}, driver.Dependency, true, driver.ErrDependency},
		{"igw unlink ips", APIError{Op: "UnlinkInternetService", Status: 409, Code: "1004"}, driver.Dependency, true, driver.ErrDependency},
		{"igw unlink lb", APIError{Op: "UnlinkInternetService", Status: 409, Code: "1005"}, driver.Dependency, true, driver.ErrDependency},
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
