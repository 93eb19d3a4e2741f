// Package examples holds archkit's runnable examples, one command per
// directory: threetier (seed 000), cloudnative (seed 001), zones (seed 002),
// webapp (seed 003), elastic (seed 004) and testing (a deploy program and
// its unit tests on the fake). It also holds the test that builds every one
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
