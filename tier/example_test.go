package tier_test

import (
	"fmt"

	"github.com/archkit/archkit/tier"
)

// The standard tiers come with their usual ports; every field can be
// changed afterwards.
func ExampleNginx() {
	for _, t := range []tier.Tier{tier.Nginx("web"), tier.App("intel"), tier.MySQL("db"), tier.Redis("cache"), tier.Kafka("bus"), tier.Bastion("bastion")} {
		fmt.Println(t.Name, t.Role, t.Exposure, t.Ports)
	}
	app := tier.App("api")
	app.Ports = []tier.Port{tier.TCP(9000)}
	fmt.Println(app.Ports)
	// Output:
	// web web public [tcp/80 tcp/443]
	// intel app private [tcp/8080]
	// db database isolated [tcp/3306]
	// cache cache isolated [tcp/6379]
	// bus queue isolated [tcp/9092]
	// bastion bastion public [tcp/22]
	// [tcp/9000]
}

// Validation reports every problem at once, each naming the field.
func ExampleLB_Validate() {
	lb := tier.PublicLB("front", "edge", "app", 8080)
	lb.Listeners = append(lb.Listeners, tier.Listener{Protocol: "HTTPS", Port: 443, TargetProtocol: "HTTP", TargetPort: 8080})
	lb.HealthCheck.IntervalSeconds = 1
	fmt.Println(lb.Validate())
	// Output:
	// tier: lb[front].listeners[1].certificate: "": HTTPS listener without a certificate; give the certificate ARN (AWS) or ORN (OUTSCALE)
	// tier: lb[front].health_check.interval_seconds: 1: outside 5-300 seconds; use 5 to 300
	// tier: lb[front].health_check.timeout_seconds: 5: timeout must be at least 2 seconds and shorter than the interval; use 2 or more, with a longer interval
}

// A stateless cluster scales out and in with its CPU load between Min and
// Max; a stateful one keeps its size and refuses a policy.
func ExampleScaling() {
	web := tier.NewCluster("web", "ami-0abc", "t3.small")
	web.Min, web.Desired, web.Max = 2, 2, 6
	web.Scaling = &tier.Scaling{TargetCPUPercent: 60, WarmupSeconds: 300}
	fmt.Println(web.Validate())

	db := tier.NewCluster("db", "ami-0def", "r6g.large")
	db.Stateless = false
	db.Min, db.Desired, db.Max = 3, 3, 3
	db.Scaling = tier.DefaultScaling()
	fmt.Println(db.Validate())
	// Output:
	// <nil>
	// tier: cluster[db].scaling: min 3, max 3: nothing to scale; raise max above min, or remove the scaling policy
	// tier: cluster[db].scaling: stateless false: a stateful cluster is not autoscaled (the cloud-native document: databases and buses keep a fixed size); remove the scaling policy, or set stateless if the nodes keep no data
}

// A cluster's nodes talk to each other on the engine's peer ports: the
// flows from the tier to itself let them (Redis Cluster's bus, here).
func ExampleTier_PeerFlows() {
	for _, f := range tier.Redis("cache").PeerFlows() {
		fmt.Println(f)
	}
	// Output:
	// cache -> cache tcp/6379 # cache peers: replication
	// cache -> cache tcp/16379 # cache peers: cluster-bus
	// cache -> cache tcp/26379 # cache peers: sentinel
}
