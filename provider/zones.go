package provider

import (
	"fmt"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

// mapZone maps a zone as a Blueprint declares it to a provider zone: an
// exact match first, else the only provider zone whose name ends with it
// ("a" -> "eu-west-2a").
func mapZone(zone string, zones []string) (string, error) {
	for _, z := range zones {
		if z == zone {
			return z, nil
		}
	}
	var match []string
	if zone != "" {
		for _, z := range zones {
			if strings.HasSuffix(z, zone) {
				match = append(match, z)
			}
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return "", fmt.Errorf("zone %q: not in region (%s); use one of %s or its last letter",
			zone, strings.Join(zones, ", "), strings.Join(zones, ", "))
	default:
		return "", fmt.Errorf("zone %q: ambiguous, matches %s; write the full zone name", zone, strings.Join(match, ", "))
	}
}

// mapZones rewrites every zone of bp (a copy the engine owns) to a
// provider zone, and reports every zone that maps to nothing.
func mapZones(bp *blueprint.Blueprint, zones []string) error {
	var errs []error
	bad := map[string]bool{}
	for i := range bp.Resources {
		r := &bp.Resources[i]
		for _, z := range r.Zones() {
			m, err := mapZone(*z, zones)
			if err != nil {
				if !bad[*z] {
					errs = append(errs, fmt.Errorf("provider: %s: %w", r.ID, err))
					bad[*z] = true
				}
				continue
			}
			*z = m
		}
	}
	return joinErrs(errs)
}
