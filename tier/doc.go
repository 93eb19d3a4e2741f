// Package tier describes what runs in an architecture: tiers (a role, the
// ports a tier listens on, its exposure and the size of its subnets),
// clusters of identical nodes, managed databases and load balancers.
//
// Every type is a plain struct with exported fields. The constructors
// ([Web], [Nginx], [App], [MySQL], [PostgreSQL], [Redis], [Memcached],
// [RabbitMQ], [Kafka], [Bastion], [NewCluster], [NewDatabase], [PublicLB],
// [InternalLB]) fill in the usual defaults, which the caller may then
// change field by field:
//
//	web := tier.Nginx("web")         // public, tcp/80 and tcp/443
//	app := tier.App("app")           // private, tcp/8080
//	app.Ports = []tier.Port{tier.TCP(9000)}
//
// The standard tiers whose nodes form clusters also list the ports their
// nodes open to each other, PeerPorts (Galera's 4444, 4567 and 4568, the
// Redis cluster bus 16379, RabbitMQ's 4369 and 25672, Kafka's KRaft
// controller 9093...), from each engine's documentation;
// [Tier.PeerFlows] turns them into flows from the tier to itself.
//
// Validate methods report every problem at once with errors.Join; each
// problem names the field to change, "tier: <field>: <input>: <problem>;
// <fix>", and matches [ErrInvalid] with errors.Is:
//
//	tier: lb[web].listeners[0].port: 0: port 0 is not a port; use 1-65535
//
// tier imports only netplan; the pattern package composes tiers into an
// architecture and builds it.
package tier
