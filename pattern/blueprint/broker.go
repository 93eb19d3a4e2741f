package blueprint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/archkit/archkit/tier"
)

// BrokerSpec is a managed message broker (Amazon MQ for RabbitMQ) in the
// tier's private subnets, never publicly accessible, behind its security
// groups.
//
// MultiAZ makes it a cluster of three nodes over the zones of Subnets
// (CLUSTER_MULTI_AZ); without it the broker is one node in its one subnet
// (SINGLE_INSTANCE). Username names the administrative user; its password
// is no part of the spec: the driver makes it and keeps it in a secret of
// the cloud's secret store, reported in Observed.Parts["secret"].
//
// A broker holds messages: it is stateful ([KindInfo.Stateful]), and the
// engine never deletes or replaces it without the caller's opt-in.
type BrokerSpec struct {
	Engine        string `json:"engine"` // rabbitmq
	EngineVersion string `json:"engine_version,omitempty"`
	InstanceType  string `json:"instance_type"`
	MultiAZ       bool   `json:"multi_az"`
	Username      string `json:"username"`
	// AutoMinorVersionUpgrade lets the cloud apply patch versions in the
	// maintenance window; Amazon MQ requires it for RabbitMQ 3.13 and
	// later.
	AutoMinorVersionUpgrade bool `json:"auto_minor_version_upgrade"`
	// MaintenanceWindow is "Day:HH:MM" in UTC ("Sun:03:00"); "" lets the
	// cloud choose.
	MaintenanceWindow string `json:"maintenance_window,omitempty"`
	// Logs sends the general logs to the cloud's log service.
	Logs           bool  `json:"logs"`
	Subnets        []Ref `json:"subnets"`
	SecurityGroups []Ref `json:"security_groups"`
	// Fallback is the cluster of VMs to build instead on a provider
	// without managed brokers, when the apply allows fallbacks.
	Fallback *ClusterSpec `json:"fallback,omitempty"`
}

func (s *BrokerSpec) refs() []*Ref {
	out := append(refsOf(s.Subnets), refsOf(s.SecurityGroups)...)
	if s.Fallback != nil {
		out = append(out, s.Fallback.refs()...)
	}
	return out
}

func (s *BrokerSpec) clone() *BrokerSpec {
	c := *s
	c.Subnets = slices.Clone(s.Subnets)
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	if s.Fallback != nil {
		c.Fallback = s.Fallback.clone()
	}
	return &c
}

func (s *BrokerSpec) normalize() {
	slices.Sort(s.Subnets)
	slices.Sort(s.SecurityGroups)
	if s.Fallback != nil {
		s.Fallback.normalize()
	}
}

// BrokerVersions are the RabbitMQ versions ("major.minor") Amazon MQ
// creates brokers of: 3.13 and 4.2; earlier versions are past their end of
// support (Amazon MQ Developer Guide, "Managing Amazon MQ for RabbitMQ
// engine versions"). A version may name a patch of one ("3.13.7").
var BrokerVersions = []string{"3.13", "4.2"}

// BrokerInstanceTypes are the instance types of Amazon MQ for RabbitMQ by
// family, with the versions each takes (Amazon MQ Developer Guide,
// "Managing Amazon MQ for RabbitMQ engine versions": RabbitMQ 4.2 only on
// mq.m7g; 3.13 on mq.t3, mq.m5 and mq.m7g).
var BrokerInstanceTypes = map[string][]string{
	"mq.t3.micro":   {"3.13"},
	"mq.m5.large":   {"3.13"},
	"mq.m5.xlarge":  {"3.13"},
	"mq.m5.2xlarge": {"3.13"},
	"mq.m5.4xlarge": {"3.13"},
	"mq.m7g.medium": {"3.13", "4.2"}, "mq.m7g.large": {"3.13", "4.2"}, "mq.m7g.xlarge": {"3.13", "4.2"},
	"mq.m7g.2xlarge": {"3.13", "4.2"}, "mq.m7g.4xlarge": {"3.13", "4.2"}, "mq.m7g.8xlarge": {"3.13", "4.2"},
	"mq.m7g.12xlarge": {"3.13", "4.2"}, "mq.m7g.16xlarge": {"3.13", "4.2"},
}

// MaxBrokerNameLen is Amazon MQ's limit on a broker's name (CreateBroker
// BrokerName: 1-50 letters, digits, '-' and '_').
const MaxBrokerNameLen = 50

// brokerFamily returns the "major.minor" of version v ("3.13.7" -> "3.13").
func brokerFamily(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// broker checks the rules of Amazon MQ's CreateBroker for RabbitMQ (API
// reference): the engine, a known instance type that takes the version
// (the latest, 4.2, when none is named), a version Amazon MQ creates,
// automatic minor version upgrades on (required from 3.13), mq.t3.micro
// only as a single instance, one subnet for a single instance and subnets
// for a cluster, a weekly maintenance window, a user name RabbitMQ takes.
func (ps *problems) broker(s *BrokerSpec) {
	if s == nil {
		return
	}
	if s.Engine != string(tier.BrokerRabbitMQ) {
		ps.add("broker.engine", strconv.Quote(s.Engine), "unknown engine", "use rabbitmq")
	}
	version := brokerFamily(s.EngineVersion)
	switch {
	case s.EngineVersion != "" && !slices.Contains(BrokerVersions, version):
		ps.add("broker.engine_version", strconv.Quote(s.EngineVersion), "not a version Amazon MQ creates",
			"use one of "+strings.Join(BrokerVersions, ", ")+", or \"\" for the latest")
	case s.EngineVersion == "":
		version = BrokerVersions[len(BrokerVersions)-1]
	}
	ps.brokerInstanceType(s, version)
	if !s.AutoMinorVersionUpgrade {
		ps.add("broker.auto_minor_version_upgrade", "false", "Amazon MQ requires automatic minor version upgrades for RabbitMQ 3.13 and later", "turn it on")
	}
	switch n := len(s.Subnets); {
	case !s.MultiAZ && n != 1:
		ps.add("broker.subnets", strconv.Itoa(n), "a single-instance broker takes exactly one subnet", "give one subnet, or make the broker MultiAZ")
	case s.MultiAZ && n == 0:
		ps.add("broker.subnets", "0", "a broker that is not publicly accessible needs a subnet", "give one subnet in each zone of the tier")
	}
	if err := tier.CheckBrokerUsername(s.Username); err != nil {
		ps.add("broker.username", strconv.Quote(s.Username), err.Error(), "use letters, digits and \"-._~\"")
	}
	if s.MaintenanceWindow != "" {
		if err := tier.CheckMaintenanceWindow(s.MaintenanceWindow); err != nil {
			ps.add("broker.maintenance_window", strconv.Quote(s.MaintenanceWindow), err.Error(), `use "Day:HH:MM" in UTC such as "Sun:03:00"`)
		}
	}
	if s.Fallback != nil {
		ps.cluster("broker.fallback", s.Fallback)
	}
}

func (ps *problems) brokerInstanceType(s *BrokerSpec, version string) {
	versions, ok := BrokerInstanceTypes[s.InstanceType]
	switch {
	case !ok:
		ps.add("broker.instance_type", strconv.Quote(s.InstanceType), "not an instance type of Amazon MQ for RabbitMQ",
			"use mq.m7g.<size> (medium to 16xlarge), mq.m5.<size> (large to 4xlarge) or mq.t3.micro")
	case slices.Contains(BrokerVersions, version) && !slices.Contains(versions, version):
		ps.add("broker.instance_type", strconv.Quote(s.InstanceType), fmt.Sprintf("RabbitMQ %s does not run on %s", version, s.InstanceType),
			"use an mq.m7g instance type for RabbitMQ 4.2, or version 3.13")
	case s.MultiAZ && s.InstanceType == "mq.t3.micro":
		ps.add("broker.instance_type", strconv.Quote(s.InstanceType), "mq.t3.micro runs single-instance brokers only", "use mq.m7g.large or larger for a cluster")
	}
}
