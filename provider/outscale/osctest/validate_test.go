package osctest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateResponseCatchesOurBugs(t *testing.T) {
	sp, err := LoadSpec()
	require.NoError(t, err)
	rt := sp.route("CreateNet")
	require.NotNil(t, rt)
	r := httptest.NewRequest(http.MethodPost, "/api/v1/CreateNet", strings.NewReader(`{"IpRange":"10.0.0.0/16"}`))
	cases := []struct {
		name    string
		status  int
		body    string
		wantErr bool
	}{
		{"valid", 200, `{"Net":{"NetId":"vpc-00000001","IpRange":"10.0.0.0/16","State":"available","Tags":[]},"ResponseContext":{"RequestId":"x"}}`, false},
		{"wrong type", 200, `{"Net":{"NetId":1},"ResponseContext":{"RequestId":"x"}}`, true},
		{"unknown field", 200, `{"Net":{"NetIdentifier":"vpc-1"},"ResponseContext":{"RequestId":"x"}}`, true},
		{"documented error", 409, `{"Errors":[{"Code":"9045","Type":"ResourceConflict","Details":"d"}],"ResponseContext":{"RequestId":"x"}}`, false},
		{"undocumented throttling", 429, `{"Errors":[{"Code":"24","Type":"ErrorOperationThrottledPerAccount","Details":"d"}],"ResponseContext":{"RequestId":"x"}}`, false},
		{"error code as a number", 429, `{"Errors":[{"Code":24}],"ResponseContext":{"RequestId":"x"}}`, true},
		{"undocumented success status", 201, `{}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := sp.validateResponse(t.Context(), rt, r, tc.status, []byte(tc.body))
			if tc.wantErr {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestEscapeModulePath(t *testing.T) {
	assert.Equal(t, "github.com/!burnt!sushi/toml", escapeModulePath("github.com/BurntSushi/toml"))
	assert.Equal(t, SDKModule, escapeModulePath(SDKModule))
}

func TestLocateSpecFromBuildInfo(t *testing.T) {
	dir, err := moduleDirFromBuildInfo()
	require.NoError(t, err, "the test binary links osc-sdk-go, so its version is in the build information")
	assert.Contains(t, dir, "@v2.")
}

func TestLocateSpec(t *testing.T) {
	p, err := locateSpec()
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(p, "api/openapi.yaml") || strings.HasSuffix(p, `api\openapi.yaml`), p)

	t.Setenv(SpecEnv, p)
	got, err := locateSpec()
	require.NoError(t, err)
	assert.Equal(t, p, got)

	t.Setenv(SpecEnv, p+".missing")
	_, err = locateSpec()
	require.Error(t, err)
	assert.Contains(t, err.Error(), SpecEnv)
}
