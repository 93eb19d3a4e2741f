package pattern

import (
	"fmt"
	"slices"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// AddBroker adds managed message brokers (Amazon MQ for RabbitMQ), one per
// tier.
//
// A broker tier declared without Ports listens on the broker's ports, so
// a flow to it without ports ("app -> bus", Connect) opens exactly those,
// from exactly the tiers that declare a flow to it: on AWS's profile AMQP
// over TLS (5671) and the web console and management API (443), all
// Amazon MQ answers on; on other profiles, where the broker is a RabbitMQ
// cluster of VMs (the fallback), 5671 and plain AMQP (5672), and the
// nodes reach each other on 4369 (epmd) and 25672 (Erlang distribution),
// or on the tier's PeerPorts when it lists them.
func (a *Architecture) AddBroker(bs ...tier.Broker) *Architecture {
	if a == nil {
		return nil
	}
	a.Brokers = append(a.Brokers, bs...)
	return a
}

// Broker returns a pointer to the managed broker of tier name, or nil.
func (a *Architecture) Broker(tierName string) *tier.Broker {
	if a == nil {
		return nil
	}
	for i := range a.Brokers {
		if a.Brokers[i].Tier == tierName {
			return &a.Brokers[i]
		}
	}
	return nil
}

// brokerPorts returns the ports a broker listens on under the profile of
// d: Amazon MQ's on AWS, a RabbitMQ cluster's elsewhere.
func (d *design) brokerPorts() []tier.Port {
	if d.arch.Profile.Name == netplan.AWS.Name {
		return []tier.Port{tier.TCP(tier.PortAMQPS).Named("amqps"), tier.TCP(tier.PortConsole).Named("rabbitmq-console")}
	}
	return []tier.Port{tier.TCP(tier.PortAMQPS).Named("amqps"), tier.TCP(tier.PortAMQP).Named("amqp")}
}

// brokerPeerPorts are the ports the nodes of a RabbitMQ cluster of VMs
// open to each other.
var brokerPeerPorts = []tier.Port{tier.TCP(tier.PortEPMD).Named("epmd"), tier.TCP(tier.PortErlang).Named("erlang-distribution")}

// validateBrokers checks each managed broker and its tier: one service per
// tier, a tier that listens on AMQPS when it lists ports, and, on AWS, a
// tier that is not public (Amazon MQ is created not publicly accessible,
// and archkit keeps it so).
func (d *design) validateBrokers() []error {
	var errs []error
	for i := range d.arch.Brokers {
		b := &d.arch.Brokers[i]
		f := fmt.Sprintf("brokers[%d]", i)
		_, other := d.clusters[b.Tier]
		if _, db := d.dbs[b.Tier]; db || d.caches[b.Tier] != nil {
			other = true
		}
		errs = append(errs, d.validateService(f, b.Validate(), b.Tier, "broker", d.brokers[b.Tier] != nil)...)
		if other {
			errs = append(errs, errf(f+".tier", b.Tier, "a broker and another service share the tier's subnets", "one service per subnet: give the broker a tier of its own"))
		}
		d.brokers[b.Tier] = b
		t := d.tiers[b.Tier]
		if t == nil || len(t.Ports) == 0 {
			continue
		}
		if !listens(t.Ports, netplan.ProtocolTCP, netplan.Port(tier.PortAMQPS)) {
			errs = append(errs, errf(f+".tier", b.Tier, fmt.Sprintf("tier %s listens on %s: its flows would not open AMQPS (5671), the broker's port", b.Tier, portList(t.Ports)),
				"leave the tier's Ports empty (archkit opens the broker's ports), or add tcp/5671"))
		}
	}
	return errs
}

// brokers adds the managed brokers with their fallback clusters: a
// single-instance broker in its tier's first subnet, a cluster in all of
// them.
func (b *bpBuilder) brokers() {
	for i := range b.d.arch.Brokers {
		br := &b.d.arch.Brokers[i]
		subnets := slices.Clone(b.subnets[br.Tier])
		if !br.MultiAZ && len(subnets) > 1 {
			subnets = subnets[:1]
		}
		spec := &blueprint.BrokerSpec{Engine: string(br.Engine), EngineVersion: br.Version, InstanceType: br.InstanceType, MultiAZ: br.MultiAZ,
			Username: br.User(), AutoMinorVersionUpgrade: true, MaintenanceWindow: br.MaintenanceWindow, Logs: br.Logs, Subnets: subnets,
			SecurityGroups: []blueprint.Ref{blueprint.Ref(id(blueprint.KindSecurityGroup, br.Tier))}}
		if br.FallbackToCluster {
			fb := br.Fallback
			fb.Tier = br.Tier
			fb.Stateless = false // a broker holds messages
			fb.Scaling = nil     // a RabbitMQ cluster keeps its size
			spec.Fallback = b.d.clusterSpec(&fb, b.subnets[br.Tier])
		}
		b.add(blueprint.Resource{ID: id(blueprint.KindBroker, br.Tier), Kind: blueprint.KindBroker, Broker: spec})
	}
}

// brokerPeerFlows returns the flows between the nodes of broker tier t's
// fallback cluster: its PeerPorts, or RabbitMQ's when it lists none.
func brokerPeerFlows(t *tier.Tier) []netplan.Flow {
	if len(t.PeerPorts) > 0 {
		return t.PeerFlows()
	}
	c := *t
	c.PeerPorts = brokerPeerPorts
	return c.PeerFlows()
}

// lintBrokers judges each managed broker: a single instance is lost with
// its zone (the cloud-native document: buses run as clusters), and a
// broker in a public tier.
func (d *design) lintBrokers() []netplan.Finding {
	var fs []netplan.Finding
	for i := range d.arch.Brokers {
		b := &d.arch.Brokers[i]
		t := d.tiers[b.Tier]
		if t == nil {
			continue
		}
		subj := "brokers[" + b.Tier + "]"
		if t.Exposure == netplan.Public {
			fs = append(fs, finding("PT002", subj, "broker in public tier "+b.Tier, "set the tier's Exposure to netplan.Isolated"))
		}
		if !b.MultiAZ {
			fs = append(fs, finding("PT032", subj, "single-instance broker: its messages are unreachable while its one node or zone is down",
				"set MultiAZ (a cluster of three nodes over the zones; tier.NewBroker sets it)"))
		}
	}
	return fs
}

// brokerText describes b in a diagram: "managed RabbitMQ mq.m7g.large,
// cluster of 3 over the zones".
func brokerText(b *tier.Broker) string {
	s := "managed RabbitMQ " + b.InstanceType
	if b.MultiAZ {
		return s + ", cluster of 3 over the zones"
	}
	return s + ", single instance"
}
