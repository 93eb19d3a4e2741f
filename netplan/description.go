package netplan

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DescriptionChars are the characters, besides ASCII letters and digits,
// that AWS accepts in a security group's description and in a security
// group rule's description: "Allowed characters are a-z, A-Z, 0-9, spaces,
// and ._-:/()#,@[]+=&;{}!$*" (EC2 API reference: CreateSecurityGroup
// GroupDescription, IpRange and UserIdGroupPair Description). OUTSCALE
// accepts the same in a group's description, and accented letters too
// (OUTSCALE API, CreateSecurityGroupRequest.Description); its rules have
// no description.
const DescriptionChars = " ._-:/()#,@[]+=&;{}!$*"

// CheckDescription reports whether AWS accepts s as a security group or
// rule description: at most [MaxDescription] characters, each an ASCII
// letter or digit or one of [DescriptionChars]. The error quotes the first
// character refused and says what to do.
func CheckDescription(s string) error {
	if n := len([]rune(s)); n > MaxDescription {
		return fmt.Errorf("%d characters, more than %d; shorten it", n, MaxDescription)
	}
	for _, r := range s {
		if !descriptionRune(r) {
			return fmt.Errorf("character %q not allowed; use letters, digits, spaces and %s", r, strings.TrimSpace(DescriptionChars))
		}
	}
	return nil
}

func descriptionRune(r rune) bool {
	return r < unicode.MaxASCII && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(DescriptionChars, r))
}

// CleanDescription returns s in a form [CheckDescription] accepts, keeping
// its meaning: "->" becomes "to" ("app -> db tcp/3306" reads "app to db
// tcp/3306"), accented letters lose their accents ("capacité" becomes
// "capacite"), any other character refused becomes a space, runs of
// spaces shrink to one, and the result is cut to [MaxDescription]
// characters. An accepted s comes back unchanged.
func CleanDescription(s string) string {
	if CheckDescription(s) == nil {
		return s
	}
	s = strings.ReplaceAll(s, "->", "to")
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // a combining accent
			continue
		case descriptionRune(r) && r != ' ':
			b.WriteRune(r)
			space = false
		case !space && b.Len() > 0:
			b.WriteByte(' ')
			space = true
		}
	}
	out := strings.TrimSpace(b.String())
	if len(out) > MaxDescription { // only ASCII is left: bytes are characters
		out = strings.TrimSpace(out[:MaxDescription])
	}
	return out
}
