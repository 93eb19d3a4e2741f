# make test: everything a change must pass. It installs what it needs by itself
# (staticcheck at a pinned version) and starts moto_server for the AWS tests.

STATICCHECK_VERSION := v0.8.2
BIN := $(CURDIR)/.bin
GO ?= go
# The examples compile the cloud drivers and the picture renderer only with
# these tags (cloud.go, picture.go); every check covers both builds.
TAGS := cloud,graphviz

.PHONY: test vet staticcheck gotest bench fuzz examples clean

test: vet staticcheck gotest

vet:
	$(GO) vet ./...
	$(GO) vet -tags $(TAGS) ./...

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(BIN)/staticcheck
	$(BIN)/staticcheck -tags $(TAGS) ./...

# -timeout: a hang guard per package (Go's default, 10 minutes, killed
# provider/aws on a 2-core machine running other suites at the same time).
gotest:
	./.ci/with-moto $(GO) test -tags $(TAGS) -race -count=1 -timeout 25m ./...

# Benchmarks are not part of make test; their figures are in the README.
bench:
	./.ci/with-moto $(GO) test -run '^$$' -bench . -benchmem ./...

# A short coverage-guided run of every fuzz target (the seed corpora run in make test).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf $(BIN)
