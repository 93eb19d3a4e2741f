package tier

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// BrokerEngine is a managed message broker engine.
type BrokerEngine string

// BrokerRabbitMQ is RabbitMQ, the engine of Amazon MQ for RabbitMQ: the
// cloud-native document's "communication bus with AMQP (see RabbitMQ ...)".
const BrokerRabbitMQ BrokerEngine = "rabbitmq"

// The ports of a RabbitMQ broker. Amazon MQ for RabbitMQ answers AMQP over
// TLS on 5671 and its web console and management API on 443 (Amazon MQ
// Developer Guide, "Listener ports"); a RabbitMQ cluster of VMs also
// answers plain AMQP on 5672, and its nodes find each other with epmd on
// 4369 and talk on 25672, the Erlang distribution port ("Networking and
// RabbitMQ: Port Access").
const (
	PortAMQPS   uint16 = 5671
	PortAMQP    uint16 = 5672
	PortConsole uint16 = 443
	PortEPMD    uint16 = 4369
	PortErlang  uint16 = 25672
)

// DefaultBrokerUsername is the broker's administrative user when Username
// is "": Amazon MQ refuses "guest" (RabbitMQ's default user).
const DefaultBrokerUsername = "archkit_admin"

// Broker is a managed message broker (Amazon MQ for RabbitMQ) in the
// subnets of one tier, reachable only from the tiers that declare a flow
// to it, never from the internet (it is created not publicly accessible).
//
// MultiAZ makes it a cluster of three nodes over the tier's zones that
// share users, queues and state (Amazon MQ's CLUSTER_MULTI_AZ); without it
// the broker is one node in the tier's first subnet (SINGLE_INSTANCE),
// lost with its zone. A broker holds messages: archkit never deletes or
// replaces it without the caller's opt-in (AllowDataLoss).
//
// The administrative user's password is never declared, planned or
// logged: the driver makes a random one and keeps it in a secret of the
// cloud's secret store (AWS Secrets Manager), tagged with the deployment.
//
// A cloud without a managed broker (OUTSCALE) builds Fallback instead when
// FallbackToCluster is set: a RabbitMQ cluster of VMs in the tier, whose
// nodes reach each other on 4369 and 25672 (the tier's PeerPorts when it
// lists them).
type Broker struct {
	Tier   string       `json:"tier"`
	Engine BrokerEngine `json:"engine"`
	// Version is the engine version, "major.minor" ("3.13", "4.2");
	// "" lets the cloud choose its latest.
	Version string `json:"version,omitempty"`
	// InstanceType is the broker's instance type, such as mq.m7g.large.
	InstanceType string `json:"instance_type"`
	// MultiAZ makes the broker a cluster of three nodes over the zones.
	MultiAZ bool `json:"multi_az"`
	// Username is the administrative user; "" means DefaultBrokerUsername.
	Username string `json:"username,omitempty"`
	// MaintenanceWindow is the weekly start of maintenance, "Day:HH:MM"
	// in UTC ("Sun:03:00"); "" lets the cloud choose.
	MaintenanceWindow string `json:"maintenance_window,omitempty"`
	// Logs sends the broker's general logs to the cloud's log service
	// (CloudWatch Logs).
	Logs bool `json:"logs"`
	// FallbackToCluster builds Fallback on a provider without managed
	// brokers.
	FallbackToCluster bool    `json:"fallback_to_cluster,omitempty"`
	Fallback          Cluster `json:"fallback,omitzero"`
}

// NewBroker returns a production broker of instanceType in tier tierName:
// a cluster of three nodes over the zones, its general logs kept, the
// default administrative user.
func NewBroker(tierName string, engine BrokerEngine, instanceType string) Broker {
	return Broker{Tier: tierName, Engine: engine, InstanceType: instanceType, MultiAZ: true, Logs: true}
}

// User returns Username, or DefaultBrokerUsername when it is "".
func (b Broker) User() string {
	if b.Username == "" {
		return DefaultBrokerUsername
	}
	return b.Username
}

// brokerDays are the days of a maintenance window, as Amazon MQ's
// WeeklyStartTime names them in the console (three letters).
var brokerDays = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// Validate checks b and reports every problem at once.
func (b Broker) Validate() error {
	var errs []error
	f := "broker[" + b.Tier + "]"
	if b.Tier == "" {
		errs = append(errs, fieldError("broker.tier", `""`, "empty tier", "name the tier the broker lives in"))
	}
	if b.Engine != BrokerRabbitMQ {
		errs = append(errs, fieldError(f+".engine", strconv.Quote(string(b.Engine)), "unknown engine", "use tier.BrokerRabbitMQ"))
	}
	if err := CheckBrokerInstanceType(b.InstanceType); err != nil {
		errs = append(errs, fieldError(f+".instance_type", strconv.Quote(b.InstanceType), err.Error(), "give an instance type such as mq.m7g.large"))
	}
	if b.Version != "" && !isVersion(b.Version) {
		errs = append(errs, fieldError(f+".version", strconv.Quote(b.Version), "not a version", `use "major.minor" such as "3.13", or "" for the cloud's latest`))
	}
	if err := CheckBrokerUsername(b.User()); err != nil {
		errs = append(errs, fieldError(f+".username", strconv.Quote(b.Username), err.Error(), `use letters, digits and "-._~", or "" for `+DefaultBrokerUsername))
	}
	if err := CheckMaintenanceWindow(b.MaintenanceWindow); b.MaintenanceWindow != "" && err != nil {
		errs = append(errs, fieldError(f+".maintenance_window", strconv.Quote(b.MaintenanceWindow), err.Error(), `use "Day:HH:MM" in UTC such as "Sun:03:00", or ""`))
	}
	if b.FallbackToCluster {
		fb := b.Fallback
		if fb.Tier == "" {
			fb.Tier = b.Tier
		}
		if err := fb.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s.fallback: %w", f, err))
		}
	}
	return errors.Join(errs...)
}

// CheckBrokerInstanceType reports why Amazon MQ would refuse t as an
// instance type by its form, or nil: "mq." then a family and a size, such
// as mq.m7g.large or mq.t3.micro. Which types an engine version takes is
// checked with the blueprint (blueprint.BrokerInstanceTypes).
func CheckBrokerInstanceType(t string) error { return checkTypeName("mq", t) }

// CheckBrokerUsername reports why Amazon MQ for RabbitMQ would refuse u
// as a user name, or nil: 2 to 100 characters among letters, digits and
// "-._~", not "guest" (Amazon MQ API reference, User: "can contain only
// alphanumeric characters, dashes, periods, underscores, and tildes (- .
// _ ~). This value must be 2-100 characters long").
func CheckBrokerUsername(u string) error {
	if len(u) < 2 || len(u) > 100 {
		return fmt.Errorf("%d characters, outside 2-100", len(u))
	}
	if u == "guest" {
		return errors.New(`"guest" is RabbitMQ's default user, refused by Amazon MQ`)
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return fmt.Errorf("character %q not allowed", r)
		}
	}
	return nil
}

// CheckMaintenanceWindow reports why w is not a weekly start time
// "Day:HH:MM" (Day one of Mon..Sun, HH 00-23, MM 00-59, UTC), or nil.
func CheckMaintenanceWindow(w string) error {
	day, hm, ok := strings.Cut(w, ":")
	if !ok || !slices.Contains(brokerDays, day) {
		return errors.New("does not start with a day Mon, Tue, Wed, Thu, Fri, Sat or Sun and ':'")
	}
	h, m, ok := strings.Cut(hm, ":")
	hh, errH := strconv.Atoi(h)
	mm, errM := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || errH != nil || errM != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return errors.New("time is not HH:MM from 00:00 to 23:59")
	}
	return nil
}
