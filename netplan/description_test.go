package netplan_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

func TestCheckDescription(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		wantErr string
	}{
		{"app to db tcp/3306", ""},
		{"allowed ._-:/()#,@[]+=&;{}!$*", ""},
		{"", ""},
		{"intel -> db tcp/3306", `character '>' not allowed`},
		{"capacité", `character 'é' not allowed`},
		{"it's", `character '\'' not allowed`},
		{strings.Repeat("a", 256), "256 characters, more than 255"},
	} {
		err := netplan.CheckDescription(tc.in)
		if tc.wantErr == "" {
			assert.NoError(t, err, tc.in)
			continue
		}
		require.Error(t, err, tc.in)
		assert.Contains(t, err.Error(), tc.wantErr)
	}
}

func TestCleanDescription(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"intel -> db tcp/3306":                 "intel to db tcp/3306",
		"app to db tcp/3306":                   "app to db tcp/3306",
		"capacité d'envoi de courrier":         "capacite d envoi de courrier",
		"  <tabs>\tand\nnewlines  ":            "tabs and newlines",
		"x > y ? z":                            "x y z",
		"日本":                                   "",
		strings.Repeat("é", 300):               strings.Repeat("e", 255),
		"internet -> front tcp/443; (+5 more)": "internet to front tcp/443; (+5 more)",
	} {
		got := netplan.CleanDescription(in)
		assert.Equal(t, want, got, in)
		assert.NoError(t, netplan.CheckDescription(got), in)
	}
}

func FuzzCleanDescription(f *testing.F) {
	for _, s := range []string{"intel -> db tcp/3306", "capacité", "x\x00y", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := netplan.CleanDescription(s)
		if err := netplan.CheckDescription(got); err != nil {
			t.Fatalf("CleanDescription(%q) = %q: %v", s, got, err)
		}
		if netplan.CheckDescription(s) == nil && got != s {
			t.Fatalf("CleanDescription(%q) changed an accepted description to %q", s, got)
		}
	})
}
