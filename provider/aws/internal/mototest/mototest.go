// Package mototest runs the AWS driver's tests against moto, the AWS
// emulator: it finds or starts a moto_server on 127.0.0.1 and gives every
// test an AWS account of its own (the x-moto-account-id header), so that
// tests share one server and still run in parallel.
//
// A package's TestMain calls [Main]. The server used is, in order: the one
// at ARCHKIT_MOTO_ENDPOINT (make test starts one), one started by Main
// when moto_server is on PATH, or none: tests calling [Endpoint] then skip,
// except when CI=true, where they fail.
package mototest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// EnvEndpoint names the environment variable holding moto's address.
const EnvEndpoint = "ARCHKIT_MOTO_ENDPOINT"

// Region is the region the tests use.
const Region = "us-east-1"

// AccountHeader selects moto's per-account state.
const AccountHeader = "x-moto-account-id"

var (
	endpoint string
	reason   string
)

// Main runs the package's tests with a moto endpoint and returns the exit
// code for os.Exit.
func Main(m *testing.M) int {
	endpoint = os.Getenv(EnvEndpoint)
	if endpoint != "" {
		return m.Run()
	}
	path, err := exec.LookPath("moto_server")
	if err != nil {
		reason = "moto_server is not on PATH and " + EnvEndpoint + " is not set (run make test, or pip install 'moto[server]')"
		return m.Run()
	}
	stop, ep, err := start(path)
	if err != nil {
		reason = "cannot start moto_server: " + err.Error()
		return m.Run()
	}
	endpoint = ep
	code := m.Run()
	stop()
	return code
}

func start(path string) (stop func(), ep string, err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// moto_server is often a wrapper (a version manager's shim) whose child
	// is the Python server: the server gets a process group of its own and
	// stop ends the whole group, not just the wrapper.
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	stop = func() { stopGroup(cmd) }
	ep = fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(ep + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			return stop, ep, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return nil, "", fmt.Errorf("moto_server on port %d did not answer in 30s", port)
}

// Endpoint returns moto's URL, or skips t (fails it when CI=true) when
// there is no moto.
func Endpoint(t testing.TB) string {
	t.Helper()
	if endpoint == "" {
		if reason == "" {
			reason = "mototest.Main was not called from TestMain and " + EnvEndpoint + " is not set"
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto is required in CI: %s", reason)
		}
		t.Skipf("skipping AWS test: %s", reason)
	}
	return endpoint
}

var accounts atomic.Uint64

// base makes account ids unique across test binaries sharing a server.
var base = uint64(os.Getpid()%9000+1000) * 1e8

// Account returns a fresh 12-digit account id, unique in the process.
func Account() string {
	return fmt.Sprintf("%012d", base+accounts.Add(1))
}

// Config returns an SDK config for moto: static credentials and the test
// region. Endpoint, retries and the account header are the driver's
// Options.
func Config() awssdk.Config {
	return awssdk.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	}
}

// WithAccount returns the API option that puts account in the
// x-moto-account-id header of every request.
func WithAccount(account string) func(*middleware.Stack) error {
	return smithyhttp.AddHeaderValue(AccountHeader, account)
}

// Reset clears moto's state (every account).
func Reset(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
