package pattern

import "github.com/archkit/archkit/pattern/blueprint"

// cleanDescriptions rewrites the descriptions of the security groups and
// of their rules in a form AWS and OUTSCALE take (blueprint.Description):
// derived ones read "app -> db tcp/5432", and EC2 refuses the '>' (its
// descriptions take letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*).
func cleanDescriptions(bp *blueprint.Blueprint) {
	for i := range bp.Resources {
		r := &bp.Resources[i]
		switch {
		case r.SecurityGroup != nil:
			r.SecurityGroup.Description = blueprint.Description(r.SecurityGroup.Description)
		case r.SecurityGroupRules != nil:
			for _, rs := range [][]blueprint.RuleSpec{r.SecurityGroupRules.Inbound, r.SecurityGroupRules.Outbound} {
				for j := range rs {
					rs[j].Description = blueprint.Description(rs[j].Description)
				}
			}
		}
	}
}
