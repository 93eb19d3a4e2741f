package osctest

import (
	"fmt"
	"net/http"
)

// OUTSCALE error codes answered by the server. Codes marked "research" come
// from the research note (QA assertions, Terraform, CAPO and the throttling
// documentation); the others are plausible OUTSCALE codes chosen here because
// no public source gives the exact value. Drivers should branch on the HTTP
// status and Type first and treat the Code as informative.
const (
	codeAuth                   = "1"     // 401 AccessDenied (chosen)
	codeThrottledPlatform      = "6"     // 503 whole platform (research)
	codeThrottledAccount       = "24"    // 429 per account (research)
	codeThrottledCall          = "25"    // 429 per account and call (research)
	codeIgwHasPublicIPs        = "1004"  // 409 UnlinkInternetService: public IPs still linked (research)
	codeIgwHasLoadBalancer     = "1005"  // 409 UnlinkInternetService: load balancer still in Net (research)
	codeIgwHasNatService       = "1018"  // 409 UnlinkInternetService: NAT service still in Net (research)
	codeInternal               = "2000"  // 500 InternalError (research)
	codeInvalidParameter       = "3001"  // 400 bad or unknown parameter (research)
	codeInvalidParameterCombo  = "3002"  // 400 incompatible parameters (research)
	codeInvalidParameterValue  = "4047"  // 400 malformed value (research)
	codeMissingParameter       = "7000"  // 400 MissingParameter (research)
	codeInvalidIPRange         = "4014"  // 400 IP range outside the allowed bounds (chosen)
	codeInvalidAction          = "4118"  // 404/501 unknown or unimplemented operation (chosen)
	codeNotFoundLoadBalancer   = "5030"  // 400 unknown load balancer (research)
	codeNotFoundVM             = "5063"  // 400 unknown VM (research)
	codeNotFoundNet            = "5065"  // 400 unknown Net (chosen)
	codeNotFoundSubnet         = "5057"  // 400 unknown subnet (chosen)
	codeNotFoundIgw            = "5036"  // 400 unknown internet service (chosen)
	codeNotFoundPublicIP       = "5025"  // 400 unknown public IP (chosen)
	codeNotFoundNat            = "5070"  // 400 unknown NAT service (chosen)
	codeNotFoundRouteTable     = "5046"  // 400 unknown route table, link or route (chosen)
	codeNotFoundSG             = "5020"  // 400 unknown security group (chosen)
	codeNotFoundRule           = "5071"  // 400 no such security group rule (chosen)
	codeNotFoundImage          = "5023"  // 400 unknown OMI (chosen)
	codeNotFoundResource       = "5067"  // 400 unknown resource id in CreateTags (research)
	codeNotFoundSubregion      = "5009"  // 400 unknown subregion (chosen)
	codeNotFoundVgw            = "5068"  // 400 unknown virtual gateway (chosen)
	codeNotFoundCgw            = "5015"  // 400 unknown client gateway (chosen)
	codeNotFoundVpn            = "5069"  // 400 unknown VPN connection or route (chosen)
	codeNotFoundVolume         = "5064"  // 400 unknown volume (chosen)
	codeNotFoundNetPeering     = "5066"  // 400 unknown Net peering (chosen)
	codeNotFoundNetAccessPoint = "5072"  // 400 unknown Net access point (chosen)
	codeNotFoundSnapshot       = "5054"  // 400 unknown snapshot (chosen)
	codeDuplicateRule          = "9005"  // 409 rule already exists (chosen)
	codeSGNameExists           = "9008"  // 409 security group name exists in the Net (research)
	codeLBNameExists           = "9013"  // 409 load balancer name exists (research)
	codeAlreadyLinked          = "9029"  // 409 public IP / internet service / subnet already linked (research)
	codeRouteExists            = "9034"  // 409 route with this destination exists (chosen)
	codeIPRangeConflict        = "9044"  // 409 subnet IP range overlaps (chosen)
	codeDependency             = "9045"  // 409 resource still has dependents (chosen)
	codeMainRouteTable         = "9046"  // 409 the main route table or local route cannot change (chosen)
	codeDefaultSG              = "9047"  // 409 the default security group cannot be deleted (chosen)
	codeNetPeeringState        = "9051"  // 409 the Net peering's state forbids the call (chosen)
	codeNatPerSubnet           = "9056"  // 409 a NAT service already exists in the subnet (research family)
	codeSGInUse                = "9085"  // 409 security group still linked or referenced (research)
	codeQuota                  = "10023" // 409 TooManyResources, quota exceeded (chosen)
)

// apiError is one OUTSCALE error answer.
type apiError struct {
	Status  int
	Code    string
	Type    string
	Details string
}

type errorEntry struct {
	Code    string
	Type    string
	Details string
}

type errorBody struct {
	Errors          []errorEntry
	ResponseContext map[string]string
}

func errBody(e *apiError, reqID string) errorBody {
	return errorBody{
		Errors:          []errorEntry{{Code: e.Code, Type: e.Type, Details: e.Details}},
		ResponseContext: map[string]string{"RequestId": reqID},
	}
}

func notFound(code, kind, id string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "InvalidResource", Code: code,
		Details: fmt.Sprintf("The %s ID '%s' does not exist.", kind, id)}
}

func conflict(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Type: "ResourceConflict", Code: code, Details: fmt.Sprintf(format, args...)}
}

func invalidValue(code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "InvalidParameterValue", Code: code, Details: fmt.Sprintf(format, args...)}
}

func quotaExceeded(name string, limit int) *apiError {
	return &apiError{Status: http.StatusConflict, Type: "TooManyResources (QuotaExceeded)", Code: codeQuota,
		Details: fmt.Sprintf("quota %s (%d) exceeded", name, limit)}
}
