// Package examples holds archkit's runnable examples, one command per
// directory (threetier, webapp, testing ...), and the test that builds every
// one of them and runs it: on the in-memory fake with no flags, with -json
// and with -plan; webapp against moto when ARCHKIT_MOTO_ENDPOINT is set (make
// test sets it); threetier against an in-memory OUTSCALE API.
//
//	go run ./examples/webapp
//	go test ./examples/...
//
// A new example needs nothing more than a main.go in a directory of its own
// to be covered by that test.
package examples
