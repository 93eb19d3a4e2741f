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
// It plays the part of Go CDK's blob/driver: a driver package
// (provider/fake, provider/aws, provider/outscale) imports this package
// and the resource model (pattern/blueprint), never the engine and never
// the patterns, so a driver compiles without either and the import
// direction is checked by a test:
//
//	pattern/blueprint  <-  provider/driver  <-  provider/fake, provider/aws, provider/outscale
//	                                       <-  provider (the engine)  <-  provider/providertest
package driver
