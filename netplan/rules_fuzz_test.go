package netplan_test

import (
	"testing"

	"github.com/archkit/archkit/netplan"
)

// FuzzParseFlow checks that ParseFlow never panics and that a parsed
// flow's String parses back to the same flow.
func FuzzParseFlow(f *testing.F) {
	for _, s := range []string{
		"internet -> web tcp/80",
		"web -> app tcp/8080",
		"app -> db tcp/3306",
		"10.1.0.0/16 -> db tcp/3306",
		"10.1.0.0/16,2001:db8::/32 -> db tcp/3306",
		"peer:vpn -> bastion tcp/22",
		"web -> internet tcp/80-443",
		"app -> cache udp/11211",
		"web -> app icmp",
		"web -> app all # anything goes",
		"web -> app tcp",
		"web -> app tcp/0-80",
		"web -> app tcp/443-80",
		"10.0.0.1/8 -> web tcp/80",
		"->->",
		"a -> b tcp/65535 ## x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flow, err := netplan.ParseFlow(s)
		if err != nil {
			return
		}
		text := flow.String()
		back, err := netplan.ParseFlow(text)
		if err != nil {
			t.Fatalf("ParseFlow(%q) = %q, which does not parse back: %v", s, text, err)
		}
		if back.String() != text || !back.From.Equal(flow.From) || !back.To.Equal(flow.To) ||
			back.Protocol != flow.Protocol || back.Ports != flow.Ports || back.Description != flow.Description {
			t.Fatalf("round trip of %q: %+v then %+v", s, flow, back)
		}
		if flow.Protocol.HasPorts() && !flow.Ports.IsValid() {
			t.Fatalf("ParseFlow(%q) accepted invalid ports %v", s, flow.Ports)
		}
	})
}
