// Package examples holds archkit's runnable examples, one command per
// directory: threetier (the three-tier Net on OUTSCALE), cloudnative
// (cloud-native clusters), dmz (the DMZ zones with a database zone), webapp
// (the web app migrated to AWS), elastic (the elastic multi-zone platform)
// and testing (a deploy program and its unit tests on the fake). Each is
// a few lines on top of package provider/deploy, which gives them their
// flags, the plan, the confirmation, the progress display, the JSON and
// the exit statuses.
//
// `go run` builds them with the in-memory fake only, which starts fast;
// the cloud drivers come with -tags cloud (the file cloud.go of each), the
// SVG and PNG pictures of -diagram with -tags graphviz (picture.go):
//
//	go run ./examples/webapp
//	go run -tags cloud ./examples/webapp -provider aws -plan
//	go run -tags graphviz ./examples/webapp -diagram webapp.svg
//	go test ./examples/...
//
// This package holds the test that builds every example both ways and runs
// it: on the in-memory fake with no flags, with -json, -plan, -plan -json
// and -blueprint, and with -provider aws where the drivers are not
// compiled in; webapp against moto when ARCHKIT_MOTO_ENDPOINT is set (make
// test sets it); and each against an in-memory OUTSCALE API that checks
// every call against OUTSCALE's OpenAPI description. A new example needs
// nothing more than a main.go in a directory of its own to be covered by
// that test.
package examples
