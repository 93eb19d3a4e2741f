package provider_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider"
)

func TestRenderer(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := provider.NewRenderer(&out)
	d := newFake()
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.OnEvent = r.Handle })
	bp := webApp("site")
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	text := out.String()
	assert.NotContains(t, text, "creating...")
	assert.Equal(t, len(bp.Resources)+1, strings.Count(text, "\n"), "one line per resource and the summary")
	assert.Regexp(t, `\+ subnet/web/a: created subnet-[0-9a-f]+ \[\d+(\.\d+)?[µnm]?s\]`, text)
	lines := strings.Split(strings.TrimSpace(text), "\n")
	assert.Regexp(t, `^Apply complete: 12 created, 0 updated, 0 replaced, 0 deleted in `, lines[len(lines)-1])

	out.Reset()
	r.Verbose = true
	_, err = eng.Destroy(t.Context(), "site")
	require.NoError(t, err)
	assert.Contains(t, out.String(), "- net/main: deleting...\n")
	assert.Contains(t, out.String(), "- net/main: deleted vpc-")
	assert.Contains(t, out.String(), "Destroy complete: 0 created, 0 updated, 0 replaced, 12 deleted")
}
