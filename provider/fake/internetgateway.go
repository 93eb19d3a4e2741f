package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateInternetGateway checks an internet gateway: its Net exists and
// has no other gateway attached (AWS: Resource.AlreadyAssociated).
func (d *Driver) validateInternetGateway(op string, e, old *entry) error {
	net := e.res.InternetGateway.Net
	if _, err := d.ref(op, e, "internet_gateway.net", net, blueprint.KindNet); err != nil {
		return err
	}
	for _, o := range d.keyed(blueprint.KindInternetGateway, netKey(net), old) {
		return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "internet_gateway.net: net %s already has internet gateway %s; a net has at most one", net, o.id)
	}
	return nil
}

// netGateway returns the internet gateway attached to net, or nil.
func (d *Driver) netGateway(net string) *entry {
	for _, o := range d.keyed(blueprint.KindInternetGateway, netKey(blueprint.Ref(net)), nil) {
		return o
	}
	return nil
}
