package provider

import (
	"errors"
	"fmt"
	"slices"

	"github.com/archkit/archkit/pattern"
)

// adapt checks bp against what the driver can do. Without fallback, every
// resource of an unsupported kind is an error naming it, the reason and
// the fix. With fallback, firewalls are dropped and databases become their
// fallback clusters; each adaptation is returned as a notice. bp is a copy
// the engine owns and is changed in place.
func adapt(bp *pattern.Blueprint, provider string, caps Capabilities, allowFallback bool) (notices []string, err error) {
	var errs []error
	dropped := map[string]bool{}
	out := bp.Resources[:0:0]
	for _, r := range bp.Resources {
		reason, unsupported := caps.Unsupported[r.Kind]
		if !unsupported {
			out = append(out, r)
			continue
		}
		switch {
		case !allowFallback:
			fix := "use a provider that supports it or remove the resource"
			switch r.Kind {
			case pattern.KindFirewall:
				fix = "set AllowFallback to rely on the security groups, which enforce the same flows"
			case pattern.KindDatabase:
				fix = "set a fallback cluster and AllowFallback=true"
			}
			errs = append(errs, fmt.Errorf("provider: %s: %s not supported by %s (%s); %s: %w", r.ID, r.Kind, provider, reason, fix, ErrUnsupported))
		case r.Kind == pattern.KindFirewall:
			dropped[r.ID] = true
			notices = append(notices, fmt.Sprintf("%s: dropped: %s has no stateless firewall (%s); the security groups already enforce the same flows", r.ID, provider, reason))
		case r.Kind == pattern.KindDatabase:
			if r.Database.Fallback == nil {
				errs = append(errs, fmt.Errorf("provider: %s: %s has no managed database (%s); set a fallback cluster or use AllowFallback=false: %w", r.ID, provider, reason, ErrUnsupported))
				continue
			}
			if !caps.Supports(pattern.KindCluster) {
				errs = append(errs, fmt.Errorf("provider: %s: fallback cluster: %s supports neither databases nor clusters: %w", r.ID, provider, ErrUnsupported))
				continue
			}
			c := pattern.Resource{ID: r.ID, Kind: pattern.KindCluster, Cluster: r.Database.Fallback}
			c = c.Clone()
			c.DependsOn = c.Dependencies()
			out = append(out, c)
			notices = append(notices, fmt.Sprintf("%s: %s has no managed database (%s); built as a %d-node %s cluster instead", r.ID, provider, reason, c.Cluster.Desired, c.Cluster.Tier))
		default:
			errs = append(errs, fmt.Errorf("provider: %s: %s not supported by %s (%s) and no fallback exists; remove the resource: %w", r.ID, r.Kind, provider, reason, ErrUnsupported))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(dropped) > 0 {
		for i := range out {
			out[i].DependsOn = slices.DeleteFunc(slices.Clone(out[i].DependsOn), func(id string) bool { return dropped[id] })
		}
	}
	bp.Resources = out
	return notices, nil
}
