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

// MySQL returns an isolated MySQL tier on tcp/3306.
func MySQL(name string) Tier {
	return Tier{Name: name, Role: RoleDatabase, Exposure: netplan.Isolated,
		Ports: []Port{TCP(3306).Named("mysql")}, Description: "MySQL"}
}

// PostgreSQL returns an isolated PostgreSQL tier on tcp/5432.
func PostgreSQL(name string) Tier {
	return Tier{Name: name, Role: RoleDatabase, Exposure: netplan.Isolated,
		Ports: []Port{TCP(5432).Named("postgresql")}, Description: "PostgreSQL"}
}

// Redis returns an isolated Redis cache tier on tcp/6379.
func Redis(name string) Tier {
	return Tier{Name: name, Role: RoleCache, Exposure: netplan.Isolated,
		Ports: []Port{TCP(6379).Named("redis")}, Description: "Redis"}
}

// Memcached returns an isolated Memcached cache tier on tcp/11211.
func Memcached(name string) Tier {
	return Tier{Name: name, Role: RoleCache, Exposure: netplan.Isolated,
		Ports: []Port{TCP(11211).Named("memcached")}, Description: "Memcached"}
}

// RabbitMQ returns an isolated message-bus tier on tcp/5672 (AMQP).
func RabbitMQ(name string) Tier {
	return Tier{Name: name, Role: RoleQueue, Exposure: netplan.Isolated,
		Ports: []Port{TCP(5672).Named("amqp")}, Description: "RabbitMQ"}
}

// Kafka returns an isolated message-bus tier on tcp/9092.
func Kafka(name string) Tier {
	return Tier{Name: name, Role: RoleQueue, Exposure: netplan.Isolated,
		Ports: []Port{TCP(9092).Named("kafka")}, Description: "Kafka"}
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
