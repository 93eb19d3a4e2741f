// Package examples holds archkit's runnable examples, one command per
// directory: threetier (the three-tier Net on OUTSCALE), cloudnative
// (cloud-native clusters), dmz (the DMZ zones with a database zone), webapp
// (the web app migrated to AWS), elastic (the elastic multi-zone platform)
// and testing (a deploy program and its unit tests on the fake). It also holds the test that builds every one
// of them and runs it: on the in-memory fake with no flags, with -json and
// with -plan; webapp against moto when ARCHKIT_MOTO_ENDPOINT is set (make
// test sets it); and each against an in-memory OUTSCALE API that checks
// every call against OUTSCALE's OpenAPI description.
//
//	go run ./examples/webapp
//	go test ./examples/...
//
// A new example needs nothing more than a main.go in a directory of its own
// to be covered by that test.
package examples
