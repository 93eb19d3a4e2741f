package tier

import (
	"slices"
)

// Service is one of the cloud's own services that a cluster's nodes call
// over HTTPS, named as AWS names its endpoint service after
// "com.amazonaws.<region>." ("s3", "sqs", "ecr.api"). A Net reaches it
// through a VPC endpoint (OUTSCALE: a Net access point) instead of the
// internet: see pattern.Endpoints.
type Service string

// The services archkit derives endpoints for, or that an architecture may
// add. S3 and DynamoDB are reached through gateway endpoints (a route to
// the service's prefix list in the route tables); the others through
// interface endpoints (network interfaces in the Net's subnets, with
// private DNS), AWS PrivateLink.
const (
	ServiceS3             Service = "s3"
	ServiceDynamoDB       Service = "dynamodb"
	ServiceSQS            Service = "sqs"
	ServiceSecretsManager Service = "secretsmanager"
	ServiceSSM            Service = "ssm"
	ServiceSSMMessages    Service = "ssmmessages"
	ServiceEC2Messages    Service = "ec2messages"
	ServiceSTS            Service = "sts"
	ServiceECRAPI         Service = "ecr.api"
	ServiceECRDKR         Service = "ecr.dkr"
	ServiceLogs           Service = "logs"
	ServiceKMS            Service = "kms"
)

// Services lists every known service, sorted.
var Services = []Service{ServiceDynamoDB, ServiceEC2Messages, ServiceECRAPI, ServiceECRDKR, ServiceKMS, ServiceLogs,
	ServiceS3, ServiceSecretsManager, ServiceSQS, ServiceSSM, ServiceSSMMessages, ServiceSTS}

// SessionManagerServices are the services the SSM Agent of a node reached
// through AWS Systems Manager Session Manager calls (Systems Manager User
// Guide, "Improve the security of EC2 instances by using VPC endpoints
// for Systems Manager": ssm, ssmmessages and ec2messages).
var SessionManagerServices = []Service{ServiceEC2Messages, ServiceSSM, ServiceSSMMessages}

// IsKnown reports whether s is one of [Services].
func (s Service) IsKnown() bool { return slices.Contains(Services, s) }

// Gateway reports whether s is reached through a gateway endpoint (S3 and
// DynamoDB: "Gateway endpoints", AWS PrivateLink guide) rather than an
// interface endpoint. S3 also has interface endpoints; archkit uses the
// gateway, which costs nothing and needs no network interface.
func (s Service) Gateway() bool { return s == ServiceS3 || s == ServiceDynamoDB }

// ServiceOf returns the service a grant calls: a queue SQS, a bucket S3,
// a database or broker secret Secrets Manager, parameters Systems Manager (ssm).
// ok is false for an unknown grant kind, and for [SessionManager], which
// calls three services ([SessionManagerServices]; see [ServicesOf]).
func ServiceOf(g Grant) (s Service, ok bool) {
	switch g.Kind {
	case GrantQueue:
		return ServiceSQS, true
	case GrantBucket:
		return ServiceS3, true
	case GrantDatabaseSecret, GrantBrokerSecret:
		return ServiceSecretsManager, true
	case GrantParameters:
		return ServiceSSM, true
	}
	return "", false
}

// ServicesOf returns the services grants call, sorted, each once:
// [ConsumeQueue] and [ReadBucket] give sqs and s3; [SessionManager] gives
// [SessionManagerServices].
func ServicesOf(grants []Grant) []Service {
	var out []Service
	for _, g := range grants {
		if g.Kind == GrantSessionManager {
			out = append(out, SessionManagerServices...)
		} else if s, ok := ServiceOf(g); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
