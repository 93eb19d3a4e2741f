package blueprint

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/archkit/archkit/tier"
)

// InstanceRoleSpec is the role of a cluster's nodes, derived from the
// cluster's grants ([tier.Statements]): on AWS an IAM role that EC2 may
// assume, its inline policy "archkit" holding exactly Statements, and an
// instance profile of the same name holding the role, which the cluster's
// launch template names. OUTSCALE has no roles for VMs.
//
// Statements are stored with the partition, region and account as
// placeholders ([tier.ARNPartition], [tier.ARNRegion], [tier.ARNAccount]);
// a driver fills them with its region and the role's own account and
// partition, and reads them back the same way.
type InstanceRoleSpec struct {
	// Name is the role's and the instance profile's name: 1 to 64 letters,
	// digits and "+=,.@_-" ([IAMName] derives one). It is unique in the
	// account, which finds the role again where tags cannot.
	Name       string            `json:"name"`
	Statements []PolicyStatement `json:"statements"`
}

// PolicyStatement is one Allow statement of a role's policy. A statement
// for a database's secret names the database in Secret and has no
// Resources: its resource is the master user secret RDS made for the
// database (its ARN is known once the database exists, which orders the
// role after it). One for a broker's secret names the broker in
// BrokerSecret: its resource is the secret that holds the broker's
// administrative user (on AWS the driver's, Observed.Parts["secret"] of
// the broker).
type PolicyStatement struct {
	Sid          string   `json:"sid"`
	Actions      []string `json:"actions"`
	Resources    []string `json:"resources,omitempty"`
	Secret       Ref      `json:"secret,omitempty"`
	BrokerSecret Ref      `json:"broker_secret,omitempty"`
}

// The sizes IAM allows (IAM User Guide, "IAM and AWS STS quotas"): a role
// or instance profile name of 64 characters, and the inline policies of a
// role of 10,240 characters together, whitespace not counted.
const (
	MaxIAMNameLen          = 64
	MaxRolePolicyChars     = 10240
	RolePolicyName         = "archkit"
	statementSidCharacters = "letters and digits"
)

var (
	iamName = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	sidRE   = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	action  = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9*]+$`)
)

// IAMName derives the name of an IAM role (or instance profile) from the
// deployment and the logical id: "<deployment>-<id with '-' for '/'>",
// or, when that is longer than 64 characters, its first 55 and a hash.
// IAMName("shop", "instance_role/app") is "shop-instance_role-app".
func IAMName(deployment, logicalID string) string {
	full := deployment + "-" + strings.NewReplacer("/", "-", ":", "-").Replace(logicalID)
	if len(full) <= MaxIAMNameLen {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	return strings.TrimRight(full[:55], "-") + "-" + hex.EncodeToString(sum[:4])
}

// FromTier returns the blueprint's statements of the derived ones: a
// database tier becomes the Ref of its database ("database/db"), a
// broker tier the Ref of its broker ("broker/bus").
func FromTier(ss []tier.Statement) []PolicyStatement {
	out := make([]PolicyStatement, 0, len(ss))
	for _, s := range ss {
		p := PolicyStatement{Sid: s.Sid, Actions: slices.Clone(s.Actions), Resources: slices.Clone(s.Resources)}
		if s.DatabaseTier != "" {
			p.Secret = Ref(string(KindDatabase) + "/" + s.DatabaseTier)
		}
		if s.BrokerTier != "" {
			p.BrokerSecret = Ref(string(KindBroker) + "/" + s.BrokerTier)
		}
		out = append(out, p)
	}
	return out
}

// ARNScope is where a driver puts a role: the values of the placeholders
// of its statements.
type ARNScope struct {
	Partition, Region, Account string
}

func (sc ARNScope) replacer() *strings.Replacer {
	return strings.NewReplacer(tier.ARNPartition, sc.Partition, tier.ARNRegion, sc.Region, tier.ARNAccount, sc.Account)
}

// policyDocument is the JSON shape of an IAM policy.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid      string `json:"Sid,omitempty"`
	Effect   string `json:"Effect"`
	Action   any    `json:"Action"`
	Resource any    `json:"Resource"`
}

// PolicyDocument renders the statements as an IAM policy document
// (Version 2012-10-17, one Allow statement each), the placeholders
// replaced from sc and each database's Secret and broker's BrokerSecret
// from secrets (the secret's ARN by the database's or the broker's
// provider id, the Ref as the driver gets it). A Secret or BrokerSecret
// missing from secrets is an error.
func (s *InstanceRoleSpec) PolicyDocument(sc ARNScope, secrets map[Ref]string) (string, error) {
	if s == nil {
		return "", errors.New("blueprint: nil InstanceRoleSpec")
	}
	doc := policyDocument{Version: "2012-10-17", Statement: []policyStatement{}}
	rep := sc.replacer()
	for _, st := range s.Statements {
		res := make([]string, 0, len(st.Resources)+1)
		for _, r := range st.Resources {
			res = append(res, rep.Replace(r))
		}
		if st.Secret != "" {
			arn, ok := secrets[st.Secret]
			if !ok || arn == "" {
				return "", fmt.Errorf("statement %s: database %s has no master user secret (RDS ManageMasterUserPassword)", st.Sid, st.Secret)
			}
			res = append(res, arn)
		}
		if st.BrokerSecret != "" {
			arn, ok := secrets[st.BrokerSecret]
			if !ok || arn == "" {
				return "", fmt.Errorf("statement %s: broker %s has no secret", st.Sid, st.BrokerSecret)
			}
			res = append(res, arn)
		}
		doc.Statement = append(doc.Statement, policyStatement{Sid: st.Sid, Effect: "Allow", Action: st.Actions, Resource: res})
	}
	b, err := json.Marshal(doc)
	return string(b), err
}

// ParsePolicyDocument reads an IAM policy document back into statements:
// sc's values become placeholders again, a resource that secrets
// (database provider id by secret ARN) knows becomes the statement's
// Secret, and one that brokerSecrets (broker provider id by secret ARN)
// knows its BrokerSecret. Action and Resource may be a string or a list;
// a statement that is not an Allow, or that has conditions or NotAction,
// is an error: archkit never writes one.
func ParsePolicyDocument(doc string, sc ARNScope, secrets, brokerSecrets map[string]Ref) ([]PolicyStatement, error) {
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	var sts []map[string]json.RawMessage
	if err := json.Unmarshal(raw.Statement, &sts); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("policy document: Statement: %w", err)
		}
		sts = []map[string]json.RawMessage{one}
	}
	var out []PolicyStatement
	for i, st := range sts {
		var p PolicyStatement
		var effect string
		_ = json.Unmarshal(st["Sid"], &p.Sid)
		_ = json.Unmarshal(st["Effect"], &effect)
		for k := range st {
			if k != "Sid" && k != "Effect" && k != "Action" && k != "Resource" {
				return nil, fmt.Errorf("policy document: Statement[%d]: %s is not written by archkit", i, k)
			}
		}
		if effect != "Allow" {
			return nil, fmt.Errorf("policy document: Statement[%d]: Effect %q is not written by archkit", i, effect)
		}
		p.Actions = stringOrList(st["Action"])
		for _, r := range stringOrList(st["Resource"]) {
			if ref, ok := secrets[r]; ok {
				p.Secret = ref
				continue
			}
			if ref, ok := brokerSecrets[r]; ok {
				p.BrokerSecret = ref
				continue
			}
			p.Resources = append(p.Resources, unscope(r, sc))
		}
		out = append(out, p)
	}
	return out, nil
}

// unscope puts the placeholders back in an ARN
// (arn:partition:service:region:account:resource) within sc: one whose
// region and account are sc's or empty (an S3 bucket's). An ARN of
// another region or account stays whole: a grant gave it whole. (A grant
// that gives a whole ARN within the driver's own region and account reads
// back with placeholders: name such a queue instead.)
func unscope(arn string, sc ARNScope) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] != sc.Partition {
		return arn
	}
	if (f[3] != "" && f[3] != sc.Region) || (f[4] != "" && f[4] != sc.Account) {
		return arn
	}
	f[1] = tier.ARNPartition
	if f[3] != "" {
		f[3] = tier.ARNRegion
	}
	if f[4] != "" {
		f[4] = tier.ARNAccount
	}
	return strings.Join(f, ":")
}

func stringOrList(m json.RawMessage) []string {
	var one string
	if json.Unmarshal(m, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(m, &many)
	return many
}

// PolicyChars counts the characters of a policy document as IAM does for
// its size quota: whitespace outside strings is not counted.
func PolicyChars(doc string) int {
	n, inString, escaped := 0, false, false
	for _, c := range doc {
		switch {
		case inString:
			n++
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
			n++
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
		default:
			n++
		}
	}
	return n
}

// secretARNPlaceholder stands for a secret's ARN when a document's size is
// estimated before the secret exists: as long as an RDS master user
// secret's ARN in the longest region names
// ("arn:aws:secretsmanager:ap-southeast-5:123456789012:secret:rds!db-<uuid>-<6>").
// brokerSecretARNPlaceholder is as long as the ARN of the secret the AWS
// driver makes for a broker ("archkit/broker/" and a broker name of
// [MaxBrokerNameLen] characters).
const (
	secretARNPlaceholder       = "arn:aws-us-gov:secretsmanager:ap-southeast-5:123456789012:secret:rds!db-00000000-0000-0000-0000-000000000000-AbCdEf"
	brokerSecretARNPlaceholder = "arn:aws-us-gov:secretsmanager:ap-southeast-5:123456789012:secret:archkit/broker/01234567890123456789012345678901234567890123456789-AbCdEf"
)

// CheckPolicySize reports a role whose policy could exceed IAM's
// 10,240-character quota once filled in.
func (s *InstanceRoleSpec) CheckPolicySize() error {
	if s == nil {
		return errors.New("blueprint: nil InstanceRoleSpec")
	}
	sc := ARNScope{Partition: "aws-us-gov", Region: "ap-southeast-5", Account: "123456789012"}
	secrets := map[Ref]string{}
	for _, st := range s.Statements {
		if st.Secret != "" {
			secrets[st.Secret] = secretARNPlaceholder
		}
		if st.BrokerSecret != "" {
			secrets[st.BrokerSecret] = brokerSecretARNPlaceholder
		}
	}
	doc, err := s.PolicyDocument(sc, secrets)
	if err != nil {
		return err
	}
	if n := PolicyChars(doc); n > MaxRolePolicyChars {
		return fmt.Errorf("policy of %d characters, over IAM's %d (LimitExceeded)", n, MaxRolePolicyChars)
	}
	return nil
}

func (ps *problems) instanceRole(s *InstanceRoleSpec) {
	if s == nil {
		return
	}
	if !iamName.MatchString(s.Name) {
		ps.add("instance_role.name", fmt.Sprintf("%q", s.Name), "not an IAM role name", "use 1 to 64 letters, digits or '+=,.@_-' (blueprint.IAMName derives one)")
	}
	if len(s.Statements) == 0 {
		ps.add("instance_role.statements", "[]", "empty", "grant the cluster something, or give it no role")
	}
	sids := map[string]int{}
	for i, st := range s.Statements {
		f := fmt.Sprintf("instance_role.statements[%d]", i)
		if !sidRE.MatchString(st.Sid) {
			ps.add(f+".sid", fmt.Sprintf("%q", st.Sid), "not a Sid", "use "+statementSidCharacters)
		} else if j, dup := sids[st.Sid]; dup {
			ps.add(f+".sid", st.Sid, fmt.Sprintf("same Sid as statements[%d]", j), "give each statement its own Sid")
		}
		sids[st.Sid] = i
		if len(st.Actions) == 0 {
			ps.add(f+".actions", "[]", "empty", "give the actions the statement allows")
		}
		for _, a := range st.Actions {
			if !action.MatchString(a) {
				ps.add(f+".actions", a, "not an IAM action", `write "service:Action" ("sqs:ReceiveMessage")`)
			}
		}
		if len(st.Resources) == 0 && st.Secret == "" && st.BrokerSecret == "" {
			ps.add(f+".resources", "[]", "no resource", "name the resources, or the database or broker whose secret it reads")
		}
		for _, r := range st.Resources {
			switch {
			case r == "*" && unscoped(st.Actions):
			case r == "*":
				ps.add(f+".resources", r, "every resource, for actions that name one", fmt.Sprintf("name one resource, or a path below one (only %v take *)", tier.UnscopedActions))
			case !strings.HasPrefix(r, "arn:") || r == "arn:*" || strings.HasSuffix(r, ":*") || !scopedARN(r):
				ps.add(f+".resources", r, "not a scoped ARN", "name one resource, or a path below one")
			}
		}
	}
	if err := s.CheckPolicySize(); err != nil {
		ps.add("instance_role.statements", fmt.Sprintf("%d statements", len(s.Statements)), err.Error(), "split the cluster's grants")
	}
}

// arnPlaceholders turns the placeholders of a derived ARN into plain
// parts, so that its colons count as an ARN's.
var arnPlaceholders = strings.NewReplacer(tier.ARNPartition, "aws", tier.ARNRegion, "region", tier.ARNAccount, "account")

// scopedARN reports whether ARN r has its six parts and names a resource
// whose name (what follows its type, up to the first '/') does not start
// with a wildcard: "arn:aws:s3:::*/*" is every object of every bucket,
// as wide as "*"; "arn:aws:s3:::bucket/*" is a path below one bucket.
func scopedARN(r string) bool {
	parts := strings.SplitN(arnPlaceholders.Replace(r), ":", 6)
	if len(parts) < 6 {
		return false
	}
	name, _, _ := strings.Cut(parts[5], "/")
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:] // "secret:db-??????": the name after the type
	}
	return name != "" && name[0] != '*' && name[0] != '?'
}

// unscoped reports whether every one of actions takes no resource
// ([tier.UnscopedActions]), so that its statement may name "*".
func unscoped(actions []string) bool {
	for _, a := range actions {
		if !slices.Contains(tier.UnscopedActions, a) {
			return false
		}
	}
	return len(actions) > 0
}

// Flow log destinations (EC2 CreateFlowLogs LogDestinationType).
const (
	FlowLogsToCloudWatch = "cloud-watch-logs"
	FlowLogsToS3         = "s3"
)

// DefaultFlowLogRetentionDays is how long the flow logs' CloudWatch
// Logs group keeps them when RetentionDays is 0: one year, the least that
// AWS Foundational Security Best Practices CloudWatch.16 accepts
// ("CloudWatch log groups should be retained for a specified time period",
// 365 days by default).
const DefaultFlowLogRetentionDays = 365

// FlowLogSpec records the traffic of a Net (AWS VPC flow logs, meeting
// AWS Foundational Security Best Practices EC2.6: "VPC flow logging
// should be enabled in all VPCs"). To CloudWatch Logs, the driver makes
// the log group (kept when the flow log goes: it holds the audit trail)
// and the role the flow logs service assumes to write to it; to S3, it
// writes to an existing bucket, whose policy must let the service write.
// OUTSCALE has no flow logs.
type FlowLogSpec struct {
	Net Ref `json:"net"`
	// Destination is [FlowLogsToCloudWatch] (the default when "") or
	// [FlowLogsToS3].
	Destination string `json:"destination,omitempty"`
	// LogGroup is the CloudWatch Logs group ("/archkit/shop/flow-logs").
	LogGroup string `json:"log_group,omitempty"`
	// Role is the name of the IAM role that delivers to the log group.
	Role string `json:"role,omitempty"`
	// RetentionDays is how long the log group keeps the logs; 0:
	// [DefaultFlowLogRetentionDays]. One of CloudWatch Logs' values (1, 3,
	// 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
	// 2192, 2557, 2922, 3288, 3653).
	RetentionDays int `json:"retention_days,omitempty"`
	// Bucket is the S3 bucket's ARN, with an optional folder
	// ("arn:aws:s3:::logs/vpc"), for Destination s3.
	Bucket string `json:"bucket,omitempty"`
	// TrafficType is ALL (the default when ""), ACCEPT or REJECT.
	TrafficType string `json:"traffic_type,omitempty"`
}

// Retention returns RetentionDays, or the default.
func (s *FlowLogSpec) Retention() int {
	if s == nil {
		return DefaultFlowLogRetentionDays
	}
	return cmp.Or(s.RetentionDays, DefaultFlowLogRetentionDays)
}

var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var logGroupName = regexp.MustCompile(`^[A-Za-z0-9_/.#-]{1,512}$`)

func (ps *problems) flowLog(s *FlowLogSpec) {
	if s == nil {
		return
	}
	ps.need("flow_log.net", string(s.Net), "the net id")
	switch s.Destination {
	case "", FlowLogsToCloudWatch:
		if !logGroupName.MatchString(s.LogGroup) {
			ps.add("flow_log.log_group", fmt.Sprintf("%q", s.LogGroup), "not a log group name", "use 1 to 512 letters, digits or '_-./#'")
		}
		if !iamName.MatchString(s.Role) {
			ps.add("flow_log.role", fmt.Sprintf("%q", s.Role), "not an IAM role name", "use 1 to 64 letters, digits or '+=,.@_-'")
		}
		if s.RetentionDays != 0 && !slices.Contains(retentionDays, s.RetentionDays) {
			ps.add("flow_log.retention_days", fmt.Sprint(s.RetentionDays), "not a CloudWatch Logs retention", fmt.Sprintf("use one of %v", retentionDays))
		}
	case FlowLogsToS3:
		if !strings.HasPrefix(s.Bucket, "arn:") || !strings.Contains(s.Bucket, ":s3:::") {
			ps.add("flow_log.bucket", fmt.Sprintf("%q", s.Bucket), "not an S3 bucket ARN", `give "arn:aws:s3:::<bucket>[/<folder>]"`)
		}
	default:
		ps.add("flow_log.destination", fmt.Sprintf("%q", s.Destination), "unknown destination", fmt.Sprintf("use %q or %q", FlowLogsToCloudWatch, FlowLogsToS3))
	}
	switch s.TrafficType {
	case "", "ALL", "ACCEPT", "REJECT":
	default:
		ps.add("flow_log.traffic_type", fmt.Sprintf("%q", s.TrafficType), "unknown traffic type", "use ALL, ACCEPT or REJECT")
	}
}
