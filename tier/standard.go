package tier

import "github.com/archkit/archkit/netplan"

// Web returns a public web tier listening on tcp/80 (http) and tcp/443
// (https). Every field may be changed afterwards.
func Web(name string) Tier {
	return Tier{Name: name, Role: RoleWeb, Exposure: netplan.Public,
		Ports: []Port{TCP(80).Named("http"), TCP(443).Named("https")}}
}

// Nginx returns the web fronts of the three-tier Net: a [Web] tier that terminates
// TLS, on tcp/80 and tcp/443.
func Nginx(name string) Tier {
	t := Web(name)
	t.Description = "nginx fronts"
	return t
}

// App returns a private application tier on tcp/8080 (the "intel" tier of
// the three-tier Net): reachable only from inside the Net, with outbound internet
// through a NAT.
func App(name string) Tier {
	return Tier{Name: name, Role: RoleApp, Exposure: netplan.Private,
		Ports: []Port{TCP(8080).Named("http-alt")}}
}

// MySQL returns an isolated MySQL tier on tcp/3306 whose nodes can form a
// Percona XtraDB Cluster (Galera, seed 001), on the ports Percona's
// documentation lists ("Secure the network", "Install Percona XtraDB
// Cluster: ports required"):
//
//	tcp/3306       MySQL, and state snapshot transfer (SST) by mysqldump
//	tcp/4444       SST by Percona XtraBackup or rsync
//	tcp/4567       write-set replication (group communication)
//	udp/4567       group communication by multicast
//	tcp/4568       incremental state transfer (IST)
func MySQL(name string) Tier {
	return Tier{Name: name, Role: RoleDatabase, Exposure: netplan.Isolated,
		Ports: []Port{TCP(3306).Named("mysql")}, Description: "MySQL",
		PeerPorts: []Port{TCP(3306).Named("mysql"), TCP(4444).Named("sst"), TCP(4567).Named("galera"),
			UDP(4567).Named("galera-multicast"), TCP(4568).Named("ist")}}
}

// PostgreSQL returns an isolated PostgreSQL tier on tcp/5432. Streaming
// replication runs on the same port: a standby connects to the primary
// with the connection string primary_conninfo, on the primary's port
// (PostgreSQL documentation, "Log-Shipping Standby Servers: Streaming
// Replication"; "port: The TCP port the server listens on; 5432 by
// default").
func PostgreSQL(name string) Tier {
	return Tier{Name: name, Role: RoleDatabase, Exposure: netplan.Isolated,
		Ports: []Port{TCP(5432).Named("postgresql")}, Description: "PostgreSQL",
		PeerPorts: []Port{TCP(5432).Named("replication")}}
}

// Redis returns an isolated Redis cache tier on tcp/6379 whose nodes can
// replicate, form a Redis Cluster or watch each other with Sentinel
// (Redis documentation, "Scale with Redis Cluster: Redis Cluster TCP
// ports": "the cluster bus port is set by adding 10000 to the data port
// (e.g., 16379)", both open between all nodes; "High availability with
// Redis Sentinel": Sentinels listen on tcp/26379 and talk to each other):
//
//	tcp/6379       replication, and key migration between cluster nodes
//	tcp/16379      cluster bus
//	tcp/26379      Sentinel
func Redis(name string) Tier {
	return Tier{Name: name, Role: RoleCache, Exposure: netplan.Isolated,
		Ports: []Port{TCP(6379).Named("redis")}, Description: "Redis",
		PeerPorts: []Port{TCP(6379).Named("replication"), TCP(16379).Named("cluster-bus"), TCP(26379).Named("sentinel")}}
}

// Memcached returns an isolated Memcached cache tier on tcp/11211. Its
// servers do not talk to each other (the clients hash keys over them:
// memcached wiki, "Overview"), so it has no peer port.
func Memcached(name string) Tier {
	return Tier{Name: name, Role: RoleCache, Exposure: netplan.Isolated,
		Ports: []Port{TCP(11211).Named("memcached")}, Description: "Memcached"}
}

// RabbitMQ returns an isolated message-bus tier on tcp/5672 (AMQP) whose
// nodes can form a cluster, on the ports of RabbitMQ's "Networking and
// RabbitMQ: Port Access":
//
//	tcp/4369         epmd, the peer discovery service of nodes and CLI tools
//	tcp/25672        inter-node and CLI tools communication (Erlang
//	                 distribution server port, AMQP port + 20000)
//	tcp/35672-35682  CLI tools (Erlang distribution client ports)
func RabbitMQ(name string) Tier {
	return Tier{Name: name, Role: RoleQueue, Exposure: netplan.Isolated,
		Ports: []Port{TCP(5672).Named("amqp")}, Description: "RabbitMQ",
		PeerPorts: []Port{TCP(4369).Named("epmd"), TCP(25672).Named("erlang-distribution"),
			{Protocol: netplan.ProtocolTCP, Range: netplan.Ports(35672, 35682), Name: "cli-tools"}}}
}

// Kafka returns an isolated message-bus tier on tcp/9092 whose brokers
// replicate to each other on their broker listener (inter.broker.listener.name)
// and, in KRaft mode, elect and follow their controllers on the
// controller listener, tcp/9093: Apache Kafka's KRaft sample server
// configuration has listeners=PLAINTEXT://:9092,CONTROLLER://:9093, the
// controllers named in controller.quorum.voters on 9093 (Kafka
// documentation, "Broker Configs": controller.listener.names,
// inter.broker.listener.name).
func Kafka(name string) Tier {
	return Tier{Name: name, Role: RoleQueue, Exposure: netplan.Isolated,
		Ports: []Port{TCP(9092).Named("kafka")}, Description: "Kafka",
		PeerPorts: []Port{TCP(9092).Named("inter-broker"), TCP(9093).Named("kraft-controller")}}
}

// Bastion returns a public bastion tier on tcp/22. Who may reach it is a
// flow of its own (an admin CIDR or a VPN peer, never the whole internet
// unless explicitly allowed).
func Bastion(name string) Tier {
	return Tier{Name: name, Role: RoleBastion, Exposure: netplan.Public,
		Ports: []Port{TCP(22).Named("ssh")}, Description: "bastion", Hosts: 11}
}

// LoadBalancers returns a tier that only holds load balancers (and the
// NAT gateways of its zones): public subnets with no VMs of their own.
func LoadBalancers(name string, exposure netplan.Exposure) Tier {
	return Tier{Name: name, Role: RoleLoadBalancer, Exposure: exposure, Description: "load balancers"}
}
