// Package driver is the contract between archkit's engine (package
// provider) and a cloud: the [Driver] interface, what it is asked
// ([Query], [Request]) and what it answers ([Observed], [Capabilities]),
// the error [Code]s with their sentinels, the ownership tags, the
// idempotency [Token] of one life of a resource, and the deployment lock a
// driver keeps in its cloud ([Locker], [Lock]).
//
// A driver checks the deployment name of every List and lock call with
// [blueprint.CheckDeployment] before any call (Code Invalid), and compares
// tags exactly, whatever its cloud's filters do with the name.
//
// The engine reads what exists in a refresh ([WithRefresh]): kinds that a
// cloud lists with the same call share one answer through [Shared] (on
// AWS, security groups, rule sets and the Nets' default groups are one
// DescribeSecurityGroups), so that an unchanged re-apply makes one read
// per kind.
//
// It plays the part of Go CDK's blob/driver: a driver package
// (provider/fake, provider/aws, provider/outscale) imports this package
// and the resource model (pattern/blueprint), never the engine and never
// the patterns, so a driver compiles without either and the import
// direction is checked by a test:
//
//	pattern/blueprint  <-  provider/driver  <-  provider/fake, provider/aws, provider/outscale
//	                                       <-  provider (the engine)  <-  provider/providertest
package driver
