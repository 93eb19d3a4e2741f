package osctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	osc "github.com/outscale/osc-sdk-go/v2"
)

// SDKModule is the module whose api/openapi.yaml describes the API the server
// validates traffic against.
const SDKModule = "github.com/outscale/osc-sdk-go/v2"

// SpecEnv names an environment variable that, when set, gives the path of the
// OpenAPI description to load instead of the one found in the module cache.
const SpecEnv = "OSCTEST_OPENAPI"

// Spec is a loaded OpenAPI description of the OUTSCALE API, shared by every
// [Server] of a process. It is safe for concurrent use.
type Spec struct {
	doc       *openapi3.T
	path      string
	errSchema *openapi3.Schema
}

// Path returns the file the description was loaded from.
func (sp *Spec) Path() string { return sp.path }

var (
	specOnce sync.Once
	specVal  *Spec
	specErr  error
)

// LoadSpec loads (once per process) the OpenAPI description shipped in
// osc-sdk-go/v2. The file is found, in order, through the OSCTEST_OPENAPI
// environment variable, the module version recorded in the binary's build
// information joined to GOMODCACHE, and `go list -m` run in the current
// directory. The description's own examples do not pass kin-openapi's
// document validation, so the document is not validated; only traffic is.
func LoadSpec() (*Spec, error) {
	specOnce.Do(func() {
		path, err := locateSpec()
		if err != nil {
			specErr = err
			return
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			specErr = fmt.Errorf("osctest: load %s: %w", path, err)
			return
		}
		es := doc.Components.Schemas["ErrorResponse"]
		if es == nil || es.Value == nil {
			specErr = fmt.Errorf("osctest: %s: no components.schemas.ErrorResponse", path)
			return
		}
		specVal = &Spec{doc: doc, path: path, errSchema: es.Value}
	})
	return specVal, specErr
}

func locateSpec() (string, error) {
	if p := os.Getenv(SpecEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("osctest: %s=%s: %w", SpecEnv, p, err)
		}
		return p, nil
	}
	var tried []string
	if dir, err := moduleDirFromBuildInfo(); err == nil {
		p := filepath.Join(dir, "api", "openapi.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	} else {
		tried = append(tried, err.Error())
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", SDKModule).Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "api", "openapi.yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	} else {
		tried = append(tried, "go list -m "+SDKModule+": "+err.Error())
	}
	return "", fmt.Errorf("osctest: cannot find api/openapi.yaml of %s (tried %s); run `go mod download %s` or set %s to the file",
		SDKModule, strings.Join(tried, "; "), SDKModule, SpecEnv)
}

// sdkVersion returns the version of the linked osc-sdk-go/v2: from the build
// information when the binary records its dependencies (go build), else from
// the SDK's own User-Agent (test binaries record none).
func sdkVersion() (string, error) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == SDKModule {
				if d.Replace != nil {
					if filepath.IsAbs(d.Replace.Path) {
						return "", &replacedError{dir: d.Replace.Path}
					}
					return "", errors.New("module " + SDKModule + " is replaced by a relative path")
				}
				return d.Version, nil
			}
		}
	}
	ua := osc.NewConfiguration().UserAgent
	if v, ok := strings.CutPrefix(ua, "osc-sdk-go/"); ok && v != "" {
		return "v" + v, nil
	}
	return "", fmt.Errorf("cannot tell the version of %s (User-Agent %q)", SDKModule, ua)
}

type replacedError struct{ dir string }

func (e *replacedError) Error() string { return "module replaced by " + e.dir }

// moduleCache returns the module cache: GOMODCACHE from the environment,
// else `go env GOMODCACHE` (which also honours the go env file and GOPATH),
// else, without a go command, the first GOPATH entry + /pkg/mod or
// $HOME/go/pkg/mod, the go command's own defaults.
func moduleCache() (string, error) {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c, nil
	}
	out, goErr := exec.Command("go", "env", "GOMODCACHE").Output()
	if c := strings.TrimSpace(string(out)); goErr == nil && c != "" {
		return c, nil
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		return filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"), nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod"), nil
	}
	if goErr != nil {
		return "", fmt.Errorf("go env GOMODCACHE: %w", goErr)
	}
	return "", nil
}

func moduleDirFromBuildInfo() (string, error) {
	version, err := sdkVersion()
	var re *replacedError
	if errors.As(err, &re) {
		return re.dir, nil
	}
	if err != nil {
		return "", err
	}
	cache, err := moduleCache()
	if err != nil {
		return "", err
	}
	if cache == "" {
		return "", errors.New("GOMODCACHE is empty")
	}
	return filepath.Join(cache, escapeModulePath(SDKModule)+"@"+version), nil
}

// escapeModulePath applies the module cache's case encoding: an upper-case
// letter becomes '!' followed by its lower-case form.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// route returns the route of operation op, or nil when the description has
// no such operation.
func (sp *Spec) route(op string) *routers.Route {
	item := sp.doc.Paths.Value("/" + op)
	if item == nil || item.Post == nil {
		return nil
	}
	return &routers.Route{Spec: sp.doc, Path: "/" + op, PathItem: item, Method: http.MethodPost, Operation: item.Post}
}

var filterOptions = &openapi3filter.Options{
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SkipSettingDefaults: true,
	MultiError:          true,
}

// validateRequest checks a request body of operation op against the description.
func (sp *Spec) validateRequest(ctx context.Context, rt *routers.Route, r *http.Request, body []byte) error {
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.URL.Path = rt.Path
	in := &openapi3filter.RequestValidationInput{Request: req, Route: rt, Options: filterOptions}
	return openapi3filter.ValidateRequest(ctx, in)
}

// validateResponse checks a response against the description. A status the
// description does not document for op (429, 503, and every error of the
// load balancer operations) is checked against components.schemas.ErrorResponse.
func (sp *Spec) validateResponse(ctx context.Context, rt *routers.Route, r *http.Request, status int, body []byte) error {
	if rt.Operation.Responses.Status(status) == nil {
		if status < 400 {
			return fmt.Errorf("status %d is not documented for %s", status, strings.TrimPrefix(rt.Path, "/"))
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("error body: %w", err)
		}
		return sp.errSchema.VisitJSON(v, openapi3.MultiErrors())
	}
	req := r.Clone(ctx)
	req.URL.Path = rt.Path
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: rt, Options: filterOptions},
		Status:                 status,
		Header:                 http.Header{"Content-Type": {"application/json"}},
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	return openapi3filter.ValidateResponse(ctx, in)
}
