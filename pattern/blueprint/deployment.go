package blueprint

import (
	"errors"
	"fmt"
	"strings"
)

// MaxDeploymentLen is the longest deployment name [CheckDeployment]
// accepts: 115 characters. The name is the value of every ownership tag
// and a part of cloud names archkit derives from it; the bound is the
// shortest of those limits:
//
//	derived from name n            limit   n at most   source
//	tag archkit:deployment = n     256     256         AWS tag values (255 on OUTSCALE)
//	lock name "archkit-lock-"+n    128     115         AWS CreateLaunchTemplate: LaunchTemplateName, 3-128
//	                               255     242         OUTSCALE CreateKeypair: KeypairName, 255
//	security group "<n>-<tier>"    255     214         AWS and OUTSCALE group names (tiers have at most 40)
//	tag Name "<n>-<logical id>"    256     194         AWS tag values (Build's longest logical id has 61)
//	load balancer, target group    32      any         "<n>-<lb>", hashed past 32 (pattern.LBName)
//	RDS identifier, ASG, template  63/255  any         derived from the idempotency token (64, hashed)
//
// The lock's launch template name binds: "archkit-lock-" and 115
// characters make exactly 128.
const MaxDeploymentLen = 128 - len("archkit-lock-")

// ErrDeployment is the sentinel of every error [CheckDeployment] returns.
var ErrDeployment = errors.New("invalid deployment name")

// DeploymentError is a deployment name [CheckDeployment] refuses, with
// the problem and the fix. errors.Is(err, ErrDeployment) reports it.
type DeploymentError struct {
	Name    string // the name as given
	Problem string // "character '*' not allowed (...)"
	Fix     string // "use lowercase letters, digits and '-'"
}

// Error returns `deployment "s*": <problem>; <fix>`.
func (e *DeploymentError) Error() string {
	if e == nil {
		return "deployment: <nil DeploymentError>"
	}
	return fmt.Sprintf("deployment %q: %s; %s", e.Name, e.Problem, e.Fix)
}

// Is reports whether target is [ErrDeployment].
func (e *DeploymentError) Is(target error) bool { return target == ErrDeployment }

// CheckDeployment reports whether name can name a deployment, and if not,
// why and what to use instead. A deployment name is the value of the
// archkit:deployment tag that selects a deployment's resources, so it must
// mean itself in every cloud's tag filters and fit every name derived
// from it:
//
//   - 1 to [MaxDeploymentLen] characters;
//   - only lowercase ASCII letters, digits and '-', starting with a letter
//     and ending with a letter or a digit. AWS filters read '*' and '?'
//     as wildcards and '\' as an escape (EC2 API reference, Filter:
//     "Wildcards can be included in filter values; * specifies that zero
//     or more characters must match, and ? specifies that exactly one
//     character must match. Use a backslash to escape special
//     characters"), so "s*" selected every deployment starting with s;
//     OUTSCALE's Tags filter is a "TAGKEY=TAGVALUE" string (its API
//     description, FiltersNet.Tags and the others), in which '='
//     separates. Uppercase is refused because several derived names
//     ignore case (RDS stores identifiers in lowercase, load balancer DNS
//     names are lowercase): "Shop" and "shop" would share them;
//   - not starting with "sg-" (AWS and OUTSCALE refuse security group
//     names that do, and groups are named "<name>-<tier>") nor with
//     "internal-" (AWS refuses load balancer names that do).
//
// The error is a [*DeploymentError]:
//
//	CheckDeployment("shop")  // nil
//	CheckDeployment("s*")    // deployment "s*": character '*' not allowed (a wildcard in AWS tag filters ...); use lowercase letters, digits and '-'
func CheckDeployment(name string) error {
	problem, fix := checkDeployment(name)
	if problem == "" {
		return nil
	}
	return &DeploymentError{Name: name, Problem: problem, Fix: fix}
}

func checkDeployment(name string) (problem, fix string) {
	const letters = "use lowercase letters, digits and '-'"
	switch {
	case name == "":
		return "empty", "name the deployment: its resources are tagged and found by the name"
	case len(name) > MaxDeploymentLen:
		return fmt.Sprintf("%d characters, over %d (the lock's AWS launch template name \"archkit-lock-<name>\" holds 128)",
			len(name), MaxDeploymentLen), "shorten it"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9' && i > 0, c == '-' && i > 0:
		case c >= 'A' && c <= 'Z':
			return fmt.Sprintf("uppercase %q not allowed (RDS identifiers and load balancer DNS names ignore case)", c),
				fmt.Sprintf("use %q", strings.ToLower(name))
		case i == 0 && (c >= '0' && c <= '9' || c == '-'):
			return "must start with a lowercase letter", letters
		default:
			return fmt.Sprintf("character %q not allowed (%s)", c, why(c)), letters
		}
	}
	switch {
	case strings.HasSuffix(name, "-"):
		return "ends with '-' (load balancer and RDS names cannot)", "end it with a letter or a digit"
	case strings.HasPrefix(name, "sg-"):
		return "starts with \"sg-\" (security group names \"<name>-<tier>\" cannot)", "choose another name"
	case strings.HasPrefix(name, "internal-"):
		return "starts with \"internal-\" (AWS load balancer names \"<name>-<lb>\" cannot)", "choose another name"
	}
	return "", ""
}

// why says what a cloud makes of character c in a tag filter or a name.
func why(c byte) string {
	switch c {
	case '*', '?':
		return "a wildcard in AWS tag filters: it would select other deployments"
	case '\\':
		return "the escape character of AWS tag filters"
	case '=':
		return "a separator in OUTSCALE's Tags filter"
	case ' ':
		return "spaces are not allowed in load balancer, RDS or launch template names"
	}
	if c < 0x20 || c >= 0x7f {
		return "not printable ASCII"
	}
	return "not allowed in load balancer, RDS or launch template names"
}
