package outscale

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/ipsec"
)

// The spoke's end of a link over a VPN (kind vpn_appliance): one VM
// (CreateVms, with a client token) from the spec's image, in its public
// subnet and group, tagged, its source/destination check turned off
// (UpdateVm IsSourceDestChecked false: it forwards the other Net's
// packets) and its public IP linked (LinkPublicIp), so that the hub's
// client gateway, made for that address, reaches it. Its user data
// configures strongSwan to the first tunnel of the hub's VPN connection,
// whose outside address (VgwTelemetries[0].OutsideIpAddress) and
// pre-shared key the driver reads in the hub's region at the create
// (peers.go). The key lives in the user data only: the observed spec
// reads the VM, its tags (hub, ranges) and its public IP, never the user
// data, so a re-apply compares equal without the Blueprint holding it.
// The provider id is the VM's id.

// applianceMutable are the fields an update changes in place.
var applianceMutable = []string{
	"source_dest_check", // UpdateVm IsSourceDestChecked
	"public_ip",         // LinkPublicIp
}

func (d *Driver) listAppliances(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersVm{Tags: ownerFilter(q), NetIds: netFilter(q), VmIds: idFilter(ids)}
	if len(ids) == 0 {
		f.TagKeys = &[]string{tagAppliance}
	}
	vms, err := d.readVms(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	var out []driver.Observed
	for _, vm := range vms {
		tags := tagMap(vm.GetTags())
		if tags[tagAppliance] == "" || !owned(q, tags) || !isAlive(vm.GetState()) {
			continue
		}
		o, err := d.applianceObserved(ctx, vm, tags)
		if err != nil {
			return nil, err
		}
		d.hubReplaced(ctx, &o, tags[tagHubVPN])
		out = append(out, o)
	}
	return out, nil
}

// applianceObserved reads the appliance's spec from its VM, its tags and
// the public IP linked to it.
func (d *Driver) applianceObserved(ctx context.Context, vm osc.Vm, tags map[string]string) (driver.Observed, error) {
	o := observed(blueprint.KindVPNAppliance, vm.GetVmId(), tags)
	placement := vm.GetPlacement()
	s := &blueprint.VPNApplianceSpec{Subnet: blueprint.Ref(vm.GetSubnetId()), Zone: placement.GetSubregionName(),
		Image: vm.GetImageId(), VMType: vm.GetVmType(), SourceDestCheck: vm.GetIsSourceDestChecked()}
	if gs := vmGroups(vm); len(gs) > 0 {
		s.SecurityGroup = blueprint.Ref(gs[0])
	}
	s.HubRegion, s.HubConnection, _ = strings.Cut(tags[tagAppliance], "/")
	local, remote, _ := strings.Cut(tags[tagRanges], " ")
	s.LocalCIDR, _ = netip.ParsePrefix(local)
	s.RemoteCIDR, _ = netip.ParsePrefix(remote)
	ips, err := d.readPublicIPs(ctx, osc.FiltersPublicIp{VmIds: &[]string{vm.GetVmId()}}, vm.GetVmId())
	if err != nil {
		return driver.Observed{}, err
	}
	if len(ips) > 0 {
		s.PublicIP = blueprint.Ref(ips[0].GetPublicIpId())
	}
	o.Resource.VPNAppliance = s
	o.Status = vm.GetState()
	o.Ready = o.Status == "running"
	return o, nil
}

// hubReplaced reports, on o, an appliance configured for a hub
// connection (configured, its id) that the hub has replaced since (its
// connection of that logical id has another id): its HubConnection reads
// "", so the appliance differs from the Blueprint and is replaced by one
// configured for the new tunnel and key. Without a driver of the hub's
// region, or with no connection there (a destroy, or the next run makes
// it), o stays as read; so it does when the hub's region does not answer
// (logged): the spoke's region is read, planned and destroyed through an
// outage of the hub's, the case a recovery region is for, and a later
// run, with the hub back, finds the replaced connection.
func (d *Driver) hubReplaced(ctx context.Context, o *driver.Observed, configured string) {
	s := o.Resource.VPNAppliance
	if configured == "" || !d.hasPeer(s.HubRegion) {
		return
	}
	pd, _ := d.peer("", "", "", s.HubRegion)
	h, err := pd.tunnel(ctx, o.Tags[driver.TagDeployment], s.HubConnection)
	if err != nil {
		d.log.LogAttrs(ctx, slog.LevelWarn, "hub unread", slog.String(logKind, string(blueprint.KindVPNAppliance)),
			slog.String(logID, o.ID), slog.String("hub_region", s.HubRegion), slog.String("error", err.Error()))
		return
	}
	if h.id != "" && h.id != configured {
		s.HubConnection = ""
	}
}

// createAppliance makes the appliance (see the file's comment). A VM an
// earlier attempt made for the same deployment and logical id (its client
// token's prefix), tagged or not, is completed instead of a second one.
func (d *Driver) createAppliance(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.VPNAppliance
	k, id := string(blueprint.KindVPNAppliance), req.Resource.ID
	prefix := fmt.Sprintf("vpn-%08x-", driver.Hash(req.Deployment+"\x00"+id))
	hub, err := d.awaitTunnel(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	vmID, err := d.earlierAppliance(ctx, req, prefix, hub)
	if err != nil {
		return driver.Observed{}, err
	}
	if vmID == "" {
		if vmID, err = d.launchAppliance(ctx, req, prefix, hub); err != nil {
			return driver.Observed{}, err
		}
	}
	tags := withMeta(req.Tags, map[string]string{tagAppliance: s.HubRegion + "/" + s.HubConnection,
		tagRanges: s.LocalCIDR.String() + " " + s.RemoteCIDR.String(), tagHubVPN: hub.id})
	if err := d.createTags(ctx, "Create", blueprint.KindVPNAppliance, vmID, tags); err != nil {
		return driver.Observed{}, err
	}
	if err := d.fixAppliance(ctx, id, vmID, s, true, ""); err != nil {
		return driver.Observed{}, err
	}
	obs, err := d.listAppliances(ctx, driver.Query{}, []string{vmID})
	if err != nil || len(obs) == 0 {
		return driver.Observed{}, cmpOr(err, errorf("CreateVms", k, id, driver.Internal, "the appliance VM %s is gone", vmID))
	}
	return obs[0], nil
}

// earlierAppliance returns the live VM of the subnet that an earlier
// attempt made for req: its client token starts with prefix, and it is
// untagged (its run stopped before the tags) or tagged with req's token
// (a lost answer of this run). A tagged VM of another life is the one a
// replace replaces: never taken. Such a VM made for another tunnel of the
// hub (its token names the hub connection: applianceToken) holds another
// address and key in its user data, which cannot change while it runs:
// it is terminated, and the caller makes one for hub.
func (d *Driver) earlierAppliance(ctx context.Context, req driver.Request, prefix string, hub hubTunnel) (string, error) {
	subnet := string(req.Resource.VPNAppliance.Subnet)
	vms, err := d.readVms(ctx, osc.FiltersVm{SubnetIds: &[]string{subnet}}, subnet)
	if err != nil {
		return "", err
	}
	for _, vm := range vms {
		tags := tagMap(vm.GetTags())
		if !strings.HasPrefix(vm.GetClientToken(), prefix) || !isAlive(vm.GetState()) ||
			tags[driver.TagDeployment] != "" && tags[driver.TagToken] != req.Tags[driver.TagToken] {
			continue
		}
		if strings.HasPrefix(vm.GetClientToken(), applianceToken(prefix, hub, "")) {
			return vm.GetVmId(), nil
		}
		if err := d.deleteVms(ctx, req.Resource.ID, []string{vm.GetVmId()}); err != nil {
			return "", err
		}
	}
	return "", nil
}

// applianceToken is the client token of the appliance made for hub's
// tunnel in the run of token: prefix, the hub connection's hash, the
// run's hash.
func applianceToken(prefix string, hub hubTunnel, token string) string {
	t := prefix + fmt.Sprintf("%08x-", driver.Hash(hub.id))
	if token != "" {
		t += fmt.Sprintf("%08x", driver.Hash(prefix+"\x00"+token))
	}
	return t
}

// awaitTunnel waits until the hub's connection has its tunnel and key,
// and returns them.
func (d *Driver) awaitTunnel(ctx context.Context, req driver.Request) (hubTunnel, error) {
	s := req.Resource.VPNAppliance
	k, id := string(blueprint.KindVPNAppliance), req.Resource.ID
	pd, err := d.peer("CreateVms", k, id, s.HubRegion)
	if err != nil {
		return hubTunnel{}, err
	}
	var h hubTunnel
	err = d.awaitPeer(ctx, s.HubRegion, "CreateVms", k, id, "given the tunnel of "+s.HubConnection+" in "+s.HubRegion, func(ctx context.Context) (bool, error) {
		h, err = pd.tunnel(ctx, req.Deployment, s.HubConnection)
		return h.id != "", err
	})
	return h, err
}

// launchAppliance renders the user data for the hub's tunnel and sends
// CreateVms.
func (d *Driver) launchAppliance(ctx context.Context, req driver.Request, prefix string, hub hubTunnel) (string, error) {
	s := req.Resource.VPNAppliance
	k, id := string(blueprint.KindVPNAppliance), req.Resource.ID
	addr, err := d.publicIPAddress(ctx, string(s.PublicIP))
	if err != nil {
		return "", err
	}
	ud, err := ipsec.UserData(ipsec.Config{Name: id, PublicIP: addr, HubIP: hub.outside, Key: hub.key, Local: s.LocalCIDR, Remote: s.RemoteCIDR})
	if err != nil {
		return "", errorf("CreateVms", k, id, driver.Invalid, "the appliance's user data: %v", err)
	}
	token := applianceToken(prefix, hub, req.Token)
	in := osc.CreateVmsRequest{ImageId: s.Image, VmType: osc.PtrString(s.VMType), SubnetId: osc.PtrString(string(s.Subnet)),
		SecurityGroupIds: &[]string{string(s.SecurityGroup)}, ClientToken: &token, MinVmsCount: osc.PtrInt32(1), MaxVmsCount: osc.PtrInt32(1),
		UserData: osc.PtrString(base64.StdEncoding.EncodeToString([]byte(ud)))}
	resp, err := call(ctx, d, "CreateVms", k, id, func(ctx context.Context) (osc.CreateVmsResponse, *http.Response, error) {
		return d.api.VmApi.CreateVms(ctx).CreateVmsRequest(in).Execute()
	})
	if err != nil {
		return "", err
	}
	if vms := resp.GetVms(); len(vms) > 0 {
		return vms[0].GetVmId(), nil
	}
	return "", errorf("CreateVms", k, id, driver.Internal, "CreateVms answered no VM")
}

// publicIPAddress returns the address of the public IP id.
func (d *Driver) publicIPAddress(ctx context.Context, id string) (string, error) {
	ips, err := d.readPublicIPs(ctx, osc.FiltersPublicIp{PublicIpIds: &[]string{id}}, id)
	if err != nil {
		return "", err
	}
	if len(ips) == 0 {
		return "", errorf("ReadPublicIps", string(blueprint.KindPublicIP), id, driver.NotFound, "public IP %s does not exist", id)
	}
	return ips[0].GetPublicIp(), nil
}

// fixAppliance turns the VM's source/destination check off when checked
// is true, and links the spec's public IP to it unless linked names it.
func (d *Driver) fixAppliance(ctx context.Context, id, vmID string, s *blueprint.VPNApplianceSpec, checked bool, linked blueprint.Ref) error {
	k := string(blueprint.KindVPNAppliance)
	if checked {
		in := osc.UpdateVmRequest{VmId: vmID, IsSourceDestChecked: osc.PtrBool(false)}
		if _, err := call(ctx, d, "UpdateVm", k, id, func(ctx context.Context) (osc.UpdateVmResponse, *http.Response, error) {
			return d.api.VmApi.UpdateVm(ctx).UpdateVmRequest(in).Execute()
		}); err != nil {
			return err
		}
	}
	if linked == s.PublicIP {
		return nil
	}
	ipID := string(s.PublicIP)
	on, err := d.publicIPVm(ctx, id, ipID)
	if err != nil || on == vmID {
		return err
	}
	// AllowRelink: the IP is the appliance's, on the VM a replace
	// replaces, if on any.
	in := osc.LinkPublicIpRequest{PublicIpId: &ipID, VmId: &vmID, AllowRelink: osc.PtrBool(true)}
	_, err = call(ctx, d, "LinkPublicIp", k, id, func(ctx context.Context) (osc.LinkPublicIpResponse, *http.Response, error) {
		return d.api.PublicIpApi.LinkPublicIp(ctx).LinkPublicIpRequest(in).Execute()
	})
	return err
}

// updateAppliance turns the check off and links the public IP, as needed.
func (d *Driver) updateAppliance(ctx context.Context, req driver.Request, cur driver.Observed) error {
	have := cur.Resource.VPNAppliance
	if have == nil {
		have = &blueprint.VPNApplianceSpec{SourceDestCheck: true}
	}
	if err := d.fixAppliance(ctx, req.Resource.ID, cur.ID, req.Resource.VPNAppliance, have.SourceDestCheck, have.PublicIP); err != nil {
		return err
	}
	return d.createTags(ctx, "Update", blueprint.KindVPNAppliance, cur.ID, req.Tags)
}

// deleteAppliance terminates the VM and waits for it (the public IP it
// holds is unlinked with it).
func (d *Driver) deleteAppliance(ctx context.Context, cur driver.Observed) error {
	return d.deleteVms(ctx, cur.ID, []string{cur.ID})
}

// cmpOr returns err when it is not nil, else alt.
func cmpOr(err error, alt *driver.Error) error {
	if err != nil {
		return err
	}
	return alt
}
