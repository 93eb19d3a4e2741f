package tier

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret is a string that must never appear in logs or error messages:
// user data, passwords. It prints as REDACTED with fmt (every verb) and
// slog; Value returns the real value. It encodes to JSON in clear, since a
// Blueprint must carry it to the driver: the one secret type of archkit,
// from [Cluster.UserData] to blueprint.ClusterSpec.UserData.
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String returns "REDACTED", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// GoString returns "REDACTED", so %#v does not leak the value.
func (s Secret) GoString() string { return `"REDACTED"` }

// Format prints "REDACTED" for every verb.
func (s Secret) Format(f fmt.State, _ rune) {
	if f != nil {
		fmt.Fprint(f, s.String())
	}
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes the value in clear.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(string(s)) }
