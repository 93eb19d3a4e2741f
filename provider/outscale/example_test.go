package outscale_test

import (
	"context"
	"fmt"
	"log"

	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// ExampleNew points a Driver at an OUTSCALE API endpoint (here the
// in-memory test server; leave Endpoint empty for the real one, or set
// OSC_ENDPOINT_API) and lists the subregions of its region.
func ExampleNew() {
	srv, err := osctest.NewServer()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	d, err := outscale.New(func(o *outscale.Options) {
		o.Endpoint = srv.URL()
		o.AccessKey, o.SecretKey = "AKEXAMPLE", "SKEXAMPLE" // else OSC_ACCESS_KEY, OSC_SECRET_KEY or ~/.osc/config.json
		o.Region = "eu-west-2"
	})
	if err != nil {
		log.Fatal(err)
	}
	zones, err := d.Zones(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Name(), d.Region(), zones)
	fmt.Println(d.Capabilities().Unsupported["network_acl"])
	// Output:
	// outscale eu-west-2 [eu-west-2a eu-west-2b]
	// OUTSCALE has no network ACLs in its API; security groups enforce the flows
}
