// Package archkit is a Go library of cloud architecture patterns: a program
// declares an architecture (a three-tier web stack, DMZ zones with a
// database zone, an autoscaled web application behind a load balancer...),
// archkit turns it into a validated, concrete plan (address ranges, security
// groups, network ACL rules, routes, clusters, load balancers) and applies that
// plan to AWS or OUTSCALE, or to an in-memory fake that makes infrastructure
// code unit-testable.
//
// This package holds only documentation; the code lives in its
// sub-packages, each with one job.
//
// # Data flow
//
// Data goes one way, from intent to cloud:
//
//	intent                Build() (pure)                  provider (I/O)
//	pattern / builders -> validate, plan CIDRs,      ->  Plan: read actual state by tags, diff
//	(Net, Tier,           derive rules, lint,             Apply: DAG executor, parallel, rate-limited,
//	 Cluster, LB)         -> Blueprint                           retried, resumable
//	                      (desired resources + deps)      Destroy: reverse order; Drift: report
//
// The packages, in import order:
//
//   - [github.com/archkit/archkit/netplan]: addresses and rules. CIDR parsing
//     and allocation, provider limits as data, Terraform-compatible
//     cidrsubnet/cidrhost, and the derivation of security groups, stateless
//     network ACL rules and routes from flows, with reachability analysis.
//   - [github.com/archkit/archkit/tier]: what runs. Tiers with their ports,
//     clusters of nodes, load balancers, and the standard tiers (web, app,
//     MySQL, PostgreSQL, Redis, Memcached, RabbitMQ, Kafka, bastion).
//   - [github.com/archkit/archkit/pattern/blueprint]: the resource model.
//     Blueprint, Resource, the registry of kinds and every spec type.
//   - [github.com/archkit/archkit/pattern]: composition. An architecture of
//     tiers and flows, a ready pattern for each source document, Build to a
//     Blueprint, lint, availability arithmetic and diagrams.
//   - [github.com/archkit/archkit/provider/driver]: the contract between the
//     engine and a cloud: the Driver interface, observed resources,
//     capabilities, error codes, ownership tags. provider/fake,
//     provider/aws and provider/outscale implement it, importing it and
//     pattern/blueprint only.
//   - [github.com/archkit/archkit/provider]: the engine (plan, apply,
//     destroy, drift), progress events, rate limit and retries;
//     provider/providertest is the conformance suite every driver passes.
//
// A package imports only packages above it in that list (a driver never
// imports pattern or the engine), and Build does no I/O: the same input
// gives the same Blueprint, byte for byte.
//
// # Example
//
// Build the three-tier pattern and apply it to the in-memory fake:
//
//	arch := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop"})
//	if _, err := arch.Build(); err != nil {
//		log.Fatal(err) // every problem at once, each naming the field to change
//	}
//	eng := provider.NewEngine(fake.New())
//	res, err := eng.Apply(ctx, arch)
//
// The same architecture applies to AWS with provider/aws or to OUTSCALE
// with provider/outscale; a second Apply of an unchanged architecture makes
// no write call, and an Apply interrupted at any step converges when run
// again. The engine builds the architecture around what is deployed: a
// tier or a zone added later moves no deployed subnet, and a change that
// would delete or replace a database is refused unless the caller names
// it (provider.ApplyOptions.AllowDataLoss).
package archkit
