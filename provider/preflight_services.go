package provider

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// This file holds the preflight checks of the services (load balancers,
// clusters, databases) and of the quotas of a region.

// services checks load balancers (subnets of one Net over two zones, one
// for a network load balancer; an internet gateway for an internet-facing
// one; a name unique in the region; the listener quota), clusters and
// databases (a DB subnet group over two zones), caches (a cache subnet
// group of one Net, over two zones for Multi-AZ) and brokers (subnets of
// one Net in distinct zones, groups of that Net).
func (c *checker) services() {
	names := map[string]string{}
	for _, r := range c.ofKind(blueprint.KindLoadBalancer) {
		s := r.LoadBalancer
		minZones := 2
		if s.Type == blueprint.LBNetwork {
			minZones = 1
		}
		net := c.subnetGroup(r, "load_balancer.subnets", s.Subnets, minZones)
		c.groupsOf(r, "load_balancer.security_groups", s.SecurityGroups, net)
		if s.Scheme == blueprint.SchemeInternetFacing && net != "" && !c.hasGateway(net) {
			c.add(r.ID, driver.Invalid, "load_balancer.scheme", fmt.Sprintf("internet-facing, but net %s has no internet gateway (InvalidSubnet)", net), "add an internet gateway or make it internal")
		}
		if other, dup := names[s.Name]; dup {
			c.add(r.ID, driver.Invalid, "load_balancer.name", fmt.Sprintf("%q: %s has that name (DuplicateLoadBalancerName)", s.Name, other), "give each balancer its own name")
		}
		names[s.Name] = r.ID
		c.quota(r.ID, "load_balancer.listeners", len(s.Listeners), c.prof.Quotas.ListenersPerBalancer, "listeners", "ListenersPerBalancer", "use fewer listeners")
	}
	for _, r := range c.ofKind(blueprint.KindCluster) {
		s := r.Cluster
		net := c.subnetGroup(r, "cluster.subnets", s.Subnets, 1)
		c.groupsOf(r, "cluster.security_groups", s.SecurityGroups, net)
		for i, lb := range s.LoadBalancers {
			c.ref(r, fmt.Sprintf("cluster.load_balancers[%d]", i), lb, blueprint.KindLoadBalancer)
		}
	}
	for _, r := range c.ofKind(blueprint.KindDatabase) {
		s := r.Database
		net := c.subnetGroup(r, "database.subnets", s.Subnets, 2)
		c.groupsOf(r, "database.security_groups", s.SecurityGroups, net)
	}
	for _, r := range c.ofKind(blueprint.KindCache) {
		s := r.Cache
		minZones := 1
		if s.MultiAZ { // a replica in another zone than the primary
			minZones = 2
		}
		net := c.subnetGroup(r, "cache.subnets", s.Subnets, minZones)
		c.groupsOf(r, "cache.security_groups", s.SecurityGroups, net)
	}
	for _, r := range c.ofKind(blueprint.KindBroker) {
		s := r.Broker
		// CreateBroker SubnetIds: several subnets must be in distinct zones.
		net := c.subnetGroup(r, "broker.subnets", s.Subnets, max(len(s.Subnets), 1))
		c.groupsOf(r, "broker.security_groups", s.SecurityGroups, net)
	}
	c.replicas()
}

// replicas checks the read replicas as CreateDBInstanceReadReplica does:
// a source database with automated backups on, at most 15 replicas per
// source, security groups of the source's Net.
func (c *checker) replicas() {
	per := map[string]int{}
	for _, r := range c.ofKind(blueprint.KindDatabaseReplica) {
		s := r.DatabaseReplica
		src := c.ref(r, "database_replica.source", s.Source, blueprint.KindDatabase)
		c.groupsOf(r, "database_replica.security_groups", s.SecurityGroups, c.netOf(r))
		if src == nil || src.Database == nil {
			continue
		}
		if per[src.ID]++; per[src.ID] == 16 {
			c.add(r.ID, driver.Quota, "database_replica.source", fmt.Sprintf("%s: 16 read replicas; RDS takes 15 per source (ReadReplicaQuotaExceeded)", src.ID), "use 15 read replicas at most")
		}
		if src.Database.BackupRetentionDays == 0 {
			c.add(r.ID, driver.Invalid, "database_replica.source", fmt.Sprintf("%s: automated backups off (backup retention 0); a read replica's source needs them", src.ID),
				"keep the source's backups at least 1 day")
		}
	}
}

// hasGateway reports whether Net net has an internet gateway.
func (c *checker) hasGateway(net string) bool {
	for _, g := range c.ofKind(blueprint.KindInternetGateway) {
		if string(g.InternetGateway.Net) == net {
			return true
		}
	}
	return false
}

// quotas checks the quotas of a zone or of a region against this
// deployment's own resources: NAT gateways per zone, Nets, public IPs,
// load balancers and database instances per region. Other deployments of
// the account use the same quotas, and the preflight cannot see them.
func (c *checker) quotas() {
	q := c.prof.Quotas
	natsPerZone := map[string]int{}
	for _, r := range c.ofKind(blueprint.KindNATGateway) {
		if s, ok := c.byID[string(r.NATGateway.Subnet)]; ok && s.Kind == blueprint.KindSubnet {
			natsPerZone[s.Subnet.Zone]++
		}
	}
	for zone, n := range natsPerZone {
		c.quota("", "zone "+zone, n, q.NATsPerZone, "NAT gateways", "NATsPerZone", "share NAT gateways between tiers of the zone")
	}
	region := func(k blueprint.Kind, n, quota int, name string) {
		c.quota("", string(k), n, quota, string(k)+" resources in the region", name, "use fewer, or raise the quota in the profile")
	}
	region(blueprint.KindNet, len(c.ofKind(blueprint.KindNet)), q.NetsPerRegion, "NetsPerRegion")
	region(blueprint.KindPublicIP, len(c.ofKind(blueprint.KindPublicIP)), q.PublicIPsPerRegion, "PublicIPsPerRegion")
	region(blueprint.KindLoadBalancer, len(c.ofKind(blueprint.KindLoadBalancer)), q.LoadBalancersPerRegion, "LoadBalancersPerRegion")
	instances := len(c.ofKind(blueprint.KindDatabaseReplica))
	for _, r := range c.ofKind(blueprint.KindDatabase) {
		instances += 1 + max(r.Database.ReadReplicas, 0)
	}
	c.quota("", string(blueprint.KindDatabase), instances, q.DatabasesPerRegion, "database instances (read replicas included) in the region",
		"DatabasesPerRegion", "use fewer databases or read replicas, or raise the quota in the profile")
}
