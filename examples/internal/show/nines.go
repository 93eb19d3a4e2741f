package show

import (
	"fmt"
	"io"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

// Nines writes the cloud-native document's table: how long a service may be down in a year
// at each availability, from 99% to 99.9999%, and whether the architecture's
// request path (node and zone availability as given) reaches each.
func Nines(node, zone pattern.Availability, path ...string) Section {
	return func(w io.Writer, arch *pattern.Architecture, _ *blueprint.Blueprint) error {
		r, err := arch.Availability(node, zone, path...)
		if err != nil {
			return err
		}
		fmt.Fprint(w, "## Downtime per year (the cloud-native document's table)\n\n")
		tw := table(w)
		fmt.Fprintln(tw, "AVAILABILITY\tDOWN PER YEAR\tTHIS ARCHITECTURE")
		for _, a := range []pattern.Availability{0.99, 0.999, 0.9999, 0.99999, 0.999999} {
			verdict := "misses it"
			if r.Availability >= a {
				verdict = "reaches it"
			}
			fmt.Fprintf(tw, "%.6g%%\t%s\t%s\n", float64(a)*100, a.DowntimeString(), verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nthe request path is up %s\n", r.Availability)
		return nil
	}
}
