package tier

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// GrantKind names what a [Grant] gives a cluster's nodes access to.
type GrantKind string

// The kinds of grants. Each gives the fewest actions its use needs (see
// [Statements] for the exact actions and resources).
const (
	// GrantQueue is an Amazon SQS queue, by name ("orders") or ARN.
	GrantQueue GrantKind = "queue"
	// GrantBucket is an Amazon S3 bucket, by name ("shop-assets").
	GrantBucket GrantKind = "bucket"
	// GrantDatabaseSecret is the master user secret that RDS keeps in AWS
	// Secrets Manager for a managed database of the architecture
	// (ManageMasterUserPassword), named by the database's tier ("db").
	// Its ARN is known once the database exists: the role's policy names
	// it then.
	GrantDatabaseSecret GrantKind = "database_secret"
	// GrantBrokerSecret is the secret that holds the administrative user
	// and password of a managed message broker of the architecture (on
	// AWS the Secrets Manager secret the driver makes with an Amazon MQ
	// broker), named by the broker's tier ("bus"). Its ARN is known once
	// the broker exists: the role's policy names it then.
	GrantBrokerSecret GrantKind = "broker_secret"
	// GrantParameters is an AWS Systems Manager Parameter Store path
	// ("/shop/app"): the parameter of that name and every parameter
	// below it.
	GrantParameters GrantKind = "parameters"
	// GrantSessionManager lets the nodes be reached through AWS Systems
	// Manager Session Manager: the SSM Agent registers the node and opens
	// its session channels. It has no Name.
	GrantSessionManager GrantKind = "session_manager"
)

// Access says what a grant allows: reading, or reading and writing.
type Access string

// Accesses. A queue is read by its consumers and written by its
// producers; a bucket read or read and written.
const (
	Read      Access = "read"
	ReadWrite Access = "read_write"
)

// Grant is one thing a cluster's nodes may use. The cluster gets a role
// (AWS: an IAM role and its instance profile, named in the launch
// template) whose policy allows exactly its grants, and nothing else.
type Grant struct {
	Kind GrantKind `json:"kind"`
	// Name is the queue's name or ARN, the bucket's name, the database's
	// or the broker's tier or the parameter path, as the kind says.
	Name string `json:"name"`
	// Access is Read (the default when empty) or ReadWrite. A database
	// or broker secret and parameters are only read.
	Access Access `json:"access,omitempty"`
}

// ConsumeQueue grants receiving and deleting messages of queue: a name
// for a queue of the deployment's account and region, an ARN for one of
// another account or region.
func ConsumeQueue(queue string) Grant { return Grant{Kind: GrantQueue, Name: queue, Access: Read} }

// ProduceQueue grants sending messages to queue, and receiving them.
func ProduceQueue(queue string) Grant {
	return Grant{Kind: GrantQueue, Name: queue, Access: ReadWrite}
}

// ReadBucket grants listing bucket and reading its objects.
func ReadBucket(bucket string) Grant { return Grant{Kind: GrantBucket, Name: bucket, Access: Read} }

// WriteBucket grants listing bucket and reading, writing and deleting its
// objects.
func WriteBucket(bucket string) Grant {
	return Grant{Kind: GrantBucket, Name: bucket, Access: ReadWrite}
}

// DatabaseSecret grants reading the master user secret of the managed
// database of tier databaseTier.
func DatabaseSecret(databaseTier string) Grant {
	return Grant{Kind: GrantDatabaseSecret, Name: databaseTier, Access: Read}
}

// BrokerSecret grants reading the secret of the managed message broker
// of tier brokerTier: its administrative user and password, which the
// nodes use to connect. On AWS it is secretsmanager:GetSecretValue on that
// one secret's ARN, and nothing else: unlike a database's master user
// secret, which RDS rotates (and whose readers check its version with
// DescribeSecret), archkit never changes a broker's secret.
func BrokerSecret(brokerTier string) Grant {
	return Grant{Kind: GrantBrokerSecret, Name: brokerTier, Access: Read}
}

// ReadParameters grants reading the parameters at and below path.
func ReadParameters(path string) Grant { return Grant{Kind: GrantParameters, Name: path, Access: Read} }

// SessionManager grants what the SSM Agent needs for Session Manager, in
// place of an instance profile with the managed policy
// AmazonSSMManagedInstanceCore (which also allows Run Command, State
// Manager and patching).
func SessionManager() Grant { return Grant{Kind: GrantSessionManager, Access: Read} }

// The placeholders of an ARN in a [Statement]'s Resources, which the
// driver replaces by the partition, the region and the account of the
// role it creates (IAM roles are global; the grants are scoped to the
// driver's region and the role's account). They are written like the
// pseudo parameters of AWS CloudFormation.
const (
	ARNPartition = "${AWS::Partition}"
	ARNRegion    = "${AWS::Region}"
	ARNAccount   = "${AWS::AccountId}"
)

// Statement is one Allow statement of a role's policy: Actions on
// Resources. A statement for a database secret has no Resources: it names
// the database's tier in DatabaseTier, and its resource is the secret's
// ARN once the database exists; one for a broker's secret names the
// broker's tier in BrokerTier, likewise.
type Statement struct {
	// Sid identifies the statement in the policy: letters and digits,
	// unique in the policy ("QueueReadOrders").
	Sid          string   `json:"sid"`
	Actions      []string `json:"actions"`
	Resources    []string `json:"resources,omitempty"`
	DatabaseTier string   `json:"database_tier,omitempty"`
	BrokerTier   string   `json:"broker_tier,omitempty"`
}

// The actions of each grant, from the Service Authorization Reference
// (Amazon SQS, Amazon S3, AWS Secrets Manager, AWS Systems Manager). Each
// is the least that its use needs: a consumer receives, deletes and
// extends the visibility of messages and reads the queue's URL and
// attributes; a producer also sends; a bucket reader lists the bucket
// (a separate statement, since ListBucket's resource is the bucket and
// GetObject's its objects) and gets objects; a writer also puts and
// deletes them; a database secret is read with its metadata, a broker secret only read; parameters are read
// one, several or by path, decrypted by the account's default key
// (a SecureString under a customer key also needs kms:Decrypt on that
// key, which a grant cannot know).
var (
	queueRead   = []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}
	queueWrite  = []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"}
	bucketList  = []string{"s3:ListBucket"}
	objectRead  = []string{"s3:GetObject"}
	objectWrite = []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}
	secretRead  = []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}
	secretValue = []string{"secretsmanager:GetSecretValue"}
	paramsRead  = []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"}
	// sessionAgent is Session Manager's least policy for a node, the
	// actions of the AWS managed policy AWSCloud9SSMInstanceProfile: the
	// agent updates its instance information and opens the control and
	// data channels of sessions.
	sessionAgent = UnscopedActions
)

// UnscopedActions are the actions a grant allows on the resource "*",
// because the service names no resource for them (AWS managed policy
// AWSCloud9SSMInstanceProfile gives them so): the SSM Agent's actions for
// Session Manager. Every other action of a grant names its resources.
var UnscopedActions = []string{"ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
	"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}

// Statements derives the Allow statements of a role from grants: for
// each distinct grant, its actions on its resources, as exact ARNs (a
// bucket, its objects, a queue, a parameter path and what is below it)
// with the partition, region and account as placeholders ([ARNRegion]...)
// unless a queue is given by its ARN. Statements are sorted by Sid, and
// two grants of the same thing keep the wider access. A bucket grant
// gives two statements, one on the bucket and one on its objects.
//
// ConsumeQueue("orders") and DatabaseSecret("db") give (BrokerSecret("bus")
// gives BrokerSecretBus: secretsmanager:GetSecretValue on the secret of
// broker/bus):
//
//	DatabaseSecretDb: secretsmanager:DescribeSecret, secretsmanager:GetSecretValue on the secret of database/db
//	QueueReadOrders: sqs:ChangeMessageVisibility, sqs:DeleteMessage, sqs:GetQueueAttributes,
//	  sqs:GetQueueUrl, sqs:ReceiveMessage on arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders
//
// It does not validate the grants: see [ValidateGrants].
func Statements(grants []Grant) []Statement {
	byKey := map[[2]string]Grant{}
	for _, g := range grants {
		if g.Access == "" {
			g.Access = Read
		}
		if g.Kind == GrantParameters && len(g.Name) > 1 {
			g.Name = strings.TrimSuffix(g.Name, "/")
		}
		k := [2]string{string(g.Kind), g.Name}
		if have, ok := byKey[k]; !ok || have.Access == Read {
			byKey[k] = g
		}
	}
	var out []Statement
	for _, g := range byKey {
		out = append(out, g.statements()...)
	}
	slices.SortFunc(out, func(a, b Statement) int {
		return cmp.Or(cmp.Compare(a.Sid, b.Sid), slices.Compare(a.Resources, b.Resources), cmp.Compare(a.DatabaseTier, b.DatabaseTier),
			cmp.Compare(a.BrokerTier, b.BrokerTier))
	})
	uniqueSids(out)
	return out
}

func (g Grant) statements() []Statement {
	p, r, a := ARNPartition, ARNRegion, ARNAccount
	word := "Read"
	if g.Access == ReadWrite {
		word = "Write"
	}
	switch g.Kind {
	case GrantQueue:
		arn, actions := g.Name, queueRead
		if !strings.HasPrefix(arn, "arn:") {
			arn = "arn:" + p + ":sqs:" + r + ":" + a + ":" + g.Name
		}
		if g.Access == ReadWrite {
			actions = queueWrite
		}
		return []Statement{{Sid: "Queue" + word + sidWord(lastSegment(g.Name)), Actions: slices.Clone(actions), Resources: []string{arn}}}
	case GrantBucket:
		actions := objectRead
		if g.Access == ReadWrite {
			actions = objectWrite
		}
		bucket := "arn:" + p + ":s3:::" + g.Name
		return []Statement{
			{Sid: "BucketList" + sidWord(g.Name), Actions: slices.Clone(bucketList), Resources: []string{bucket}},
			{Sid: "Objects" + word + sidWord(g.Name), Actions: slices.Clone(actions), Resources: []string{bucket + "/*"}},
		}
	case GrantDatabaseSecret:
		return []Statement{{Sid: "DatabaseSecret" + sidWord(g.Name), Actions: slices.Clone(secretRead), DatabaseTier: g.Name}}
	case GrantBrokerSecret:
		return []Statement{{Sid: "BrokerSecret" + sidWord(g.Name), Actions: slices.Clone(secretValue), BrokerTier: g.Name}}
	case GrantParameters:
		base := "arn:" + p + ":ssm:" + r + ":" + a + ":parameter" + g.Name
		return []Statement{{Sid: "Parameters" + sidWord(g.Name), Actions: slices.Clone(paramsRead), Resources: []string{base, base + "/*"}}}
	case GrantSessionManager:
		return []Statement{{Sid: "SessionManager", Actions: slices.Clone(sessionAgent), Resources: []string{"*"}}}
	}
	return nil
}

// lastSegment returns what follows the last ':' of an ARN, or s.
func lastSegment(s string) string { return s[strings.LastIndexByte(s, ':')+1:] }

// sidWord turns a name into the letters and digits of a Sid, each word
// capitalized ("orders-eu.fifo" -> "OrdersEuFifo").
func sidWord(name string) string {
	var b strings.Builder
	upper := true
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
			b.WriteRune(c)
			upper = false
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

// uniqueSids numbers the Sids that two names share ("QueueReadOrders",
// "QueueReadOrders2"), in the order of the sorted statements.
func uniqueSids(ss []Statement) {
	seen := map[string]int{}
	for i := range ss {
		seen[ss[i].Sid]++
		if n := seen[ss[i].Sid]; n > 1 {
			ss[i].Sid += fmt.Sprint(n)
		}
	}
}

// The names the clouds accept: an SQS queue name is 1 to 80 letters,
// digits, '-' and '_' (with ".fifo" at the end of a FIFO queue); an S3
// bucket name is 3 to 63 lowercase letters, digits, '.' and '-',
// beginning and ending with a letter or digit; a parameter path begins
// with '/' and holds letters, digits and ". - _ /" (Parameter Store's
// rules, at most 1011 characters for the name with its path); an SQS ARN
// is arn:<partition>:sqs:<region>:<account>:<name>.
var (
	queueName  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}(\.fifo)?$`)
	queueARN   = regexp.MustCompile(`^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$`)
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	paramPath  = regexp.MustCompile(`^(/[A-Za-z0-9_.-]+)+/?$`)
)

// ValidateGrants checks grants, f naming the field ("cluster[app].grants"),
// and reports every problem at once.
func ValidateGrants(f string, grants []Grant) error {
	var errs []error
	for i, g := range grants {
		gf := fmt.Sprintf("%s[%d]", f, i)
		if g.Access != "" && g.Access != Read && g.Access != ReadWrite {
			errs = append(errs, fieldError(gf+".access", string(g.Access), "unknown access", `use "read" or "read_write"`))
		}
		switch g.Kind {
		case GrantQueue:
			if !queueName.MatchString(g.Name) && !queueARN.MatchString(g.Name) {
				errs = append(errs, fieldError(gf+".name", g.Name, "not an SQS queue name or ARN", "use 1 to 80 letters, digits, '-' or '_' (.fifo at the end of a FIFO queue), or the queue's ARN"))
			}
		case GrantBucket:
			if !bucketName.MatchString(g.Name) || strings.Contains(g.Name, "..") {
				errs = append(errs, fieldError(gf+".name", g.Name, "not an S3 bucket name", "use 3 to 63 lowercase letters, digits, '.' or '-', beginning and ending with a letter or digit"))
			}
		case GrantDatabaseSecret:
			if g.Name == "" {
				errs = append(errs, fieldError(gf+".name", `""`, "no database", "name the tier of a managed database of the architecture"))
			}
			if g.Access == ReadWrite {
				errs = append(errs, fieldError(gf+".access", string(g.Access), "a database secret is only read", "use tier.DatabaseSecret"))
			}
		case GrantBrokerSecret:
			if g.Name == "" {
				errs = append(errs, fieldError(gf+".name", `""`, "no broker", "name the tier of a managed broker of the architecture"))
			}
			if g.Access == ReadWrite {
				errs = append(errs, fieldError(gf+".access", string(g.Access), "a broker secret is only read", "use tier.BrokerSecret"))
			}
		case GrantParameters:
			if !paramPath.MatchString(g.Name) || len(g.Name) > 1011 {
				errs = append(errs, fieldError(gf+".name", g.Name, "not a Parameter Store path", `begin with '/' and use letters, digits, '.', '-' or '_' between slashes ("/shop/app")`))
			}
			if g.Access == ReadWrite {
				errs = append(errs, fieldError(gf+".access", string(g.Access), "parameters are only read", "use tier.ReadParameters"))
			}
		case GrantSessionManager:
			if g.Name != "" {
				errs = append(errs, fieldError(gf+".name", g.Name, "Session Manager names nothing", "drop the name: use tier.SessionManager()"))
			}
			if g.Access == ReadWrite {
				errs = append(errs, fieldError(gf+".access", string(g.Access), "Session Manager has no write access", "use tier.SessionManager()"))
			}
		default:
			errs = append(errs, fieldError(gf+".kind", string(g.Kind), "unknown grant kind", "use queue, bucket, database_secret, broker_secret, parameters or session_manager"))
		}
	}
	return errors.Join(errs...)
}
