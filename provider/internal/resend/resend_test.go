package resend_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

func TestAttempt(t *testing.T) {
	t.Parallel()
	var s resend.Sent
	req := driver.Request{Token: "tok", Resource: blueprint.Resource{ID: "subnet/web/a"}}
	assert.True(t, resend.Resending(t.Context()), "unknown: look up")
	assert.False(t, resend.Resending(s.Attempt(t.Context(), req)), "first attempt")
	assert.True(t, resend.Resending(s.Attempt(t.Context(), req)), "second attempt")
	other := req
	other.Resource.ID = "subnet/web/b"
	assert.False(t, resend.Resending(s.Attempt(t.Context(), other)), "same token, another resource")
	assert.True(t, resend.Resending(s.Attempt(t.Context(), driver.Request{})), "no token: look up")
	assert.True(t, resend.Resending(resend.Force(s.Attempt(t.Context(), driver.Request{Token: "new"}))))
}
