package osctest_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

func TestThrottle(t *testing.T) {
	tests := []struct {
		status   int
		wantCode string
	}{
		{http.StatusTooManyRequests, "24"},
		{http.StatusServiceUnavailable, "6"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			s := osctest.New(t)
			c, ctx := client(t, s)
			s.Throttle(2, tc.status)
			for range 2 {
				_, res, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
				st, code := apiErr(t, err, res)
				assert.Equal(t, tc.status, st)
				assert.Equal(t, tc.wantCode, code)
			}
			_, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
			require.NoError(t, err)
			assert.Equal(t, 1, s.Count("net"), "throttled calls change nothing")
			calls := s.Calls()
			require.Len(t, calls, 3)
			assert.Equal(t, osctest.Call{Op: "CreateNet", Status: tc.status, Code: tc.wantCode}, calls[0])
			assert.Equal(t, osctest.Call{Op: "CreateNet", Status: http.StatusOK}, calls[2])
		})
	}
}

func TestFailNext(t *testing.T) {
	s := osctest.New(t)
	c, ctx := client(t, s)
	s.FailNext("CreateSubnet", 1, http.StatusInternalServerError, "")
	net, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
	require.NoError(t, err, "other operations are not affected")
	req := osc.CreateSubnetRequest{NetId: net.Net.GetNetId(), IpRange: "10.0.0.0/24"}
	_, res, err := c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(req).Execute()
	st, code := apiErr(t, err, res)
	assert.Equal(t, http.StatusInternalServerError, st)
	assert.Equal(t, "2000", code)
	assert.Equal(t, 0, s.Count("subnet"))
	_, _, err = c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(req).Execute()
	require.NoError(t, err)
	assert.Equal(t, 1, s.Count("subnet"))
}

func TestOnRequestFailsTheKthWrite(t *testing.T) {
	s := osctest.New(t)
	c, ctx := client(t, s)
	writes := 0
	s.OnRequest(func(op string, body []byte) *osctest.Fault {
		if op[:4] == "Read" {
			return nil
		}
		writes++
		if writes == 3 {
			return &osctest.Fault{Status: http.StatusConflict, Code: "9045", Details: "injected"}
		}
		return nil
	})
	var codes []int
	for i := range 4 {
		_, res, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: fmt.Sprintf("10.%d.0.0/16", i)}).Execute()
		if err != nil {
			st, _ := apiErr(t, err, res)
			codes = append(codes, st)
			continue
		}
		codes = append(codes, res.StatusCode)
	}
	assert.Equal(t, []int{200, 200, 409, 200}, codes)
	assert.Equal(t, 3, s.Count("net"))
	s.OnRequest(nil)
}

func TestConcurrentClients(t *testing.T) {
	s := osctest.New(t)
	c, ctx := client(t, s)
	net, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Go(func() {
			_, _, err := c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(osc.CreateSubnetRequest{
				NetId: net.Net.GetNetId(), IpRange: fmt.Sprintf("10.0.%d.0/24", i)}).Execute()
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, 16, s.Count("subnet"))
}

// TestDrop loses a request on its way in (no effect) and on its way out
// (the Net exists): both times the client gets no answer at all.
func TestDrop(t *testing.T) {
	tests := []struct {
		name     string
		fault    osctest.Fault
		wantNets int
	}{
		{"before the effect", osctest.Fault{Drop: true}, 0},
		{"after the effect", osctest.Fault{Drop: true, AfterEffect: true}, 1},
		{"lose next", osctest.Fault{}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := osctest.New(t)
			c, ctx := client(t, s)
			if tc.fault.Drop {
				s.OnRequest(func(op string, _ []byte) *osctest.Fault {
					if op == "CreateNet" {
						return &tc.fault
					}
					return nil
				})
			} else {
				s.LoseNext("CreateNet", 1)
			}
			_, res, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
			require.Error(t, err)
			assert.Nil(t, res, "no answer")
			assert.Equal(t, tc.wantNets, s.Count("net"))
			assert.Equal(t, []osctest.Call{{Op: "CreateNet"}}, s.Calls(), "recorded with status 0")
		})
	}
}
