package osctest

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

type vmRes struct {
	id          string
	imageID     string
	vmType      string
	subnetID    string
	netID       string
	subregion   string
	privateIP   string
	sgIDs       []string
	clientToken string
	reservation string
	launch      int
	userData    string
	keypair     string
	protected   bool
	state       string
	left        int
	volumeID    string // the root BSU volume, deleted with the VM (DeleteOnVmDeletion)
	unhealthy   bool   // fails its load balancers' health checks (FailHealthCheck)
	// forwards is true once UpdateVm turned its source/destination check
	// off (IsSourceDestChecked false): OUTSCALE starts every VM with it on.
	forwards bool
}

type sgLight struct{ SecurityGroupId, SecurityGroupName string }

type placementOut struct{ SubregionName, Tenancy string }

type vmOut struct {
	VmId                        string
	VmType                      string
	ImageId                     string
	State                       string
	SubnetId                    string `json:",omitempty"`
	NetId                       string `json:",omitempty"`
	PrivateIp                   string `json:",omitempty"`
	PrivateDnsName              string `json:",omitempty"`
	PublicIp                    string `json:",omitempty"`
	SecurityGroups              []sgLight
	Placement                   placementOut
	ClientToken                 string `json:",omitempty"`
	ReservationId               string
	LaunchNumber                int
	UserData                    string `json:",omitempty"`
	KeypairName                 string `json:",omitempty"`
	DeletionProtection          bool
	Architecture                string
	Hypervisor                  string
	RootDeviceName              string
	RootDeviceType              string
	Performance                 string
	VmInitiatedShutdownBehavior string
	IsSourceDestChecked         bool
	BsuOptimized                bool
	CreationDate                string
	ProductCodes                []string
	BlockDeviceMappings         []bdmOut
	Nics                        []struct{}
	Tags                        []tag
}

// images are the fixed OMIs ReadImages answers and CreateVms accepts, with
// those of Options.Images. ami-12c6146b is providertest.Image, the image of
// the conformance suite's clusters and the default of archkit's examples.
var images = []imageOut{
	{ImageId: "ami-0000c0de", ImageName: "Ubuntu-24.04-2025.01.01-0", Description: "Ubuntu 24.04 LTS"},
	{ImageId: "ami-0000beef", ImageName: "RockyLinux-9-2025.01.01-0", Description: "Rocky Linux 9"},
	{ImageId: "ami-12c6146b", ImageName: "archkit-example-2025.01.01-0", Description: "archkit examples and conformance suite"},
}

type imageOut struct {
	ImageId        string
	ImageName      string
	Description    string
	State          string
	Architecture   string
	AccountAlias   string
	AccountId      string
	ImageType      string
	RootDeviceName string
	RootDeviceType string
	CreationDate   string
	FileLocation   string
	ProductCodes   []string
	Tags           []tag
	// BlockDeviceMappings are a copy's (the fixed OMIs show none).
	BlockDeviceMappings []bdmImage `json:",omitempty"`
}

// images returns the fixed OMIs followed by those of Options.Images that
// are not fixed ones, in the order given.
func (s *Server) images() []imageOut {
	out := slices.Clone(images)
	for _, id := range s.opts.Images {
		if !slices.ContainsFunc(out, func(im imageOut) bool { return im.ImageId == id }) {
			out = append(out, imageOut{ImageId: id, ImageName: "custom-" + id, Description: "Options.Images"})
		}
	}
	for _, id := range sortedKeys(s.copies) {
		out = append(out, s.renderImage(s.copies[id]))
	}
	return out
}

// imageByID returns the OMI with id id, or nil when the server does not know it.
func (s *Server) imageByID(id string) *imageOut {
	all := s.images()
	for i := range all {
		if all[i].ImageId == id {
			return &all[i]
		}
	}
	return nil
}

const fixedDate = "2026-01-01T00:00:00.000Z"

func init() {
	handlers["CreateVms"] = (*Server).createVms
	handlers["ReadVms"] = (*Server).readVms
	handlers["DeleteVms"] = (*Server).deleteVms
	handlers["UpdateVm"] = (*Server).updateVm
	handlers["StopVms"] = (*Server).stopVms
	handlers["ReadVmsState"] = (*Server).readVmsState
	handlers["ReadImages"] = (*Server).readImages
}

func (s *Server) renderVM(vm *vmRes) vmOut {
	o := vmOut{VmId: vm.id, VmType: vm.vmType, ImageId: vm.imageID, State: vm.state, SubnetId: vm.subnetID, NetId: vm.netID,
		PrivateIp: vm.privateIP, SecurityGroups: []sgLight{}, Placement: placementOut{SubregionName: vm.subregion, Tenancy: "default"},
		ClientToken: vm.clientToken, ReservationId: vm.reservation, LaunchNumber: vm.launch, UserData: vm.userData, KeypairName: vm.keypair,
		DeletionProtection: vm.protected, Architecture: "x86_64", Hypervisor: "xen", RootDeviceName: "/dev/sda1", RootDeviceType: "ebs",
		Performance: "medium", VmInitiatedShutdownBehavior: "stop", IsSourceDestChecked: !vm.forwards, CreationDate: fixedDate,
		ProductCodes: []string{"0001"}, BlockDeviceMappings: []bdmOut{}, Nics: []struct{}{}, Tags: s.tagList(vm.id)}
	if vm.volumeID != "" && vm.state != "terminated" {
		o.BlockDeviceMappings = append(o.BlockDeviceMappings, bdmOut{DeviceName: "/dev/sda1",
			Bsu: bsuOut{VolumeId: vm.volumeID, State: "attached", DeleteOnVmDeletion: true, LinkDate: fixedDate}})
	}
	if vm.privateIP != "" {
		o.PrivateDnsName = "ip-" + strings.ReplaceAll(vm.privateIP, ".", "-") + "." + s.opts.Region + ".compute.internal"
	}
	for _, id := range vm.sgIDs {
		l := sgLight{SecurityGroupId: id}
		if g := s.sgs[id]; g != nil {
			l.SecurityGroupName = g.name
		}
		o.SecurityGroups = append(o.SecurityGroups, l)
	}
	for _, p := range s.pips {
		if p.vmID == vm.id {
			o.PublicIp = p.ip
		}
	}
	return o
}

type createVmsRequest struct {
	ImageId, VmType, SubnetId, ClientToken, UserData, KeypairName string
	MinVmsCount, MaxVmsCount                                      int
	SecurityGroupIds, SecurityGroups, PrivateIps                  []string
	Placement                                                     struct{ SubregionName string }
	DeletionProtection                                            bool
}

func (s *Server) createVms(body []byte) (map[string]any, *apiError) {
	var in createVmsRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.ClientToken != "" {
		var same []vmOut
		for _, id := range sortedKeys(s.vms) {
			if vm := s.vms[id]; vm.clientToken == in.ClientToken {
				same = append(same, s.renderVM(vm))
			}
		}
		if same != nil {
			return map[string]any{"Vms": same}, nil
		}
	}
	if s.imageByID(in.ImageId) == nil {
		return nil, notFound(codeNotFoundImage, "Image", in.ImageId)
	}
	if in.UserData != "" {
		if len(in.UserData) > 500*1024 {
			return nil, invalidValue(codeInvalidParameterValue, "UserData is larger than 500 KiB")
		}
		if _, err := base64.StdEncoding.DecodeString(in.UserData); err != nil {
			return nil, invalidValue(codeInvalidParameterValue, "UserData must be Base64-encoded: %v", err)
		}
	}
	count := max(in.MaxVmsCount, in.MinVmsCount, 1)
	if in.MinVmsCount > in.MaxVmsCount && in.MaxVmsCount > 0 {
		return nil, invalidValue(codeInvalidParameterValue, "MinVmsCount %d is greater than MaxVmsCount %d", in.MinVmsCount, in.MaxVmsCount)
	}
	var sn *subnetRes
	subregion := in.Placement.SubregionName
	if in.SubnetId != "" {
		if sn = s.subnets[in.SubnetId]; sn == nil {
			return nil, notFound(codeNotFoundSubnet, "Subnet", in.SubnetId)
		}
		subregion = sn.SubregionName
	}
	if subregion == "" {
		subregion = s.opts.Subregions[0]
	}
	netID := ""
	if sn != nil {
		netID = sn.NetId
	}
	var sgIDs []string
	for _, id := range in.SecurityGroupIds {
		g := s.sgs[id]
		if g == nil {
			return nil, notFound(codeNotFoundSG, "SecurityGroup", id)
		}
		if g.netID != netID {
			return nil, invalidValue(codeInvalidParameterValue, "The security group '%s' is not in the Net of subnet '%s'", id, in.SubnetId)
		}
		sgIDs = append(sgIDs, id)
	}
	for _, name := range in.SecurityGroups {
		i := slices.IndexFunc(sortedKeys(s.sgs), func(k string) bool { return s.sgs[k].name == name && s.sgs[k].netID == netID })
		if i < 0 {
			return nil, notFound(codeNotFoundSG, "SecurityGroup", name)
		}
		sgIDs = append(sgIDs, sortedKeys(s.sgs)[i])
	}
	if len(sgIDs) == 0 {
		for _, g := range s.sgs {
			if g.netID == netID && g.isDefault {
				sgIDs = append(sgIDs, g.id)
			}
		}
	}
	// A VM starts with the public key of an existing keypair, by name.
	if in.KeypairName != "" && !slices.ContainsFunc(sortedKeys(s.keypairs), func(k string) bool { return s.keypairs[k].name == in.KeypairName }) {
		return nil, notFound(codeNotFoundKeypair, "Keypair", in.KeypairName)
	}
	if lim := s.quota("vm_sg_limit"); len(sgIDs) > lim {
		return nil, quotaExceeded("vm_sg_limit", lim)
	}
	live := 0
	for _, vm := range s.vms {
		if vm.state != "terminated" {
			live++
		}
	}
	if lim := s.quota("vm_limit"); live+count > lim {
		return nil, quotaExceeded("vm_limit", lim)
	}
	if len(in.PrivateIps) > 0 && (sn == nil || len(in.PrivateIps) != count) {
		return nil, invalidValue(codeInvalidParameterValue, "PrivateIps needs a SubnetId and one address per VM")
	}
	ips := make([]string, count)
	for i := range count {
		if sn == nil {
			continue
		}
		ip, e := s.allocIP(sn, in.PrivateIps, i)
		if e != nil {
			return nil, e
		}
		ips[i] = ip
	}
	if in.VmType == "" {
		in.VmType = "t2.small"
	}
	reservation := s.newID("r")
	var out []vmOut
	for i := range count {
		vm := &vmRes{id: s.newID("i"), imageID: in.ImageId, vmType: in.VmType, subregion: subregion, netID: netID, privateIP: ips[i],
			sgIDs: sgIDs, clientToken: in.ClientToken, reservation: reservation, launch: i, userData: in.UserData, keypair: in.KeypairName,
			protected: in.DeletionProtection, state: "pending", left: s.opts.PendingReads, volumeID: s.newID("vol")}
		if sn != nil {
			vm.subnetID = sn.SubnetId
		}
		if vm.left == 0 {
			vm.state = "running"
		}
		s.vms[vm.id] = vm
		out = append(out, s.renderVM(vm))
	}
	return map[string]any{"Vms": out}, nil
}

// allocIP returns the i-th requested private IP, or the next free one of sn.
func (s *Server) allocIP(sn *subnetRes, wanted []string, i int) (string, *apiError) {
	used := map[string]bool{}
	for _, vm := range s.vms {
		if vm.subnetID == sn.SubnetId && vm.state != "terminated" {
			used[vm.privateIP] = true
		}
	}
	first := sn.prefix.Addr().Next().Next().Next().Next()
	last := netipLast(sn.prefix)
	if len(wanted) > 0 {
		a, err := netip.ParseAddr(wanted[i])
		if err != nil || !sn.prefix.Contains(a) || a.Less(first) || a == last || used[a.String()] {
			return "", invalidValue(codeInvalidParameterValue, "PrivateIp %q is not a free address of subnet %s (the first four and the last are reserved)", wanted[i], sn.IpRange)
		}
		return a.String(), nil
	}
	for a := sn.nextIP; sn.prefix.Contains(a) && a != last; a = a.Next() {
		if !used[a.String()] {
			sn.nextIP = a.Next()
			return a.String(), nil
		}
	}
	for a := first; a != last; a = a.Next() {
		if !used[a.String()] {
			return a.String(), nil
		}
	}
	return "", &apiError{Status: 409, Type: "InsufficientCapacity", Code: "10004", Details: fmt.Sprintf("no free IP left in subnet %s", sn.SubnetId)}
}

func netipLast(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func (s *Server) readVms(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []vmOut
	for _, id := range sortedKeys(s.vms) {
		vm := s.vms[id]
		if any1(f.VmIds, id) && any1(f.NetIds, vm.netID) && any1(f.SubnetIds, vm.subnetID) && any1(f.VmStateNames, vm.state) &&
			any1(f.SubregionNames, vm.subregion) && any1(f.ImageIds, vm.imageID) && anyOf(f.SecurityGroupIds, vm.sgIDs) &&
			(len(f.ClientTokens) == 0 || vm.clientToken != "" && any1(f.ClientTokens, vm.clientToken)) && s.tagsMatch(id, f) {
			out = append(out, s.renderVM(vm))
			s.advanceVM(vm)
		}
	}
	return pageOut("Vms", out, &in)
}

func (s *Server) advanceVM(vm *vmRes) {
	switch vm.state {
	case "pending":
		if tick(&vm.left) {
			vm.state = "running"
		}
	case "shutting-down":
		if tick(&vm.left) {
			s.terminate(vm)
		}
	case "stopping":
		if tick(&vm.left) {
			vm.state = "stopped"
		}
	}
}

func (s *Server) terminate(vm *vmRes) {
	vm.state = "terminated"
	vm.volumeID = "" // DeleteOnVmDeletion: the root volume goes with the VM
	for _, p := range s.pips {
		if p.vmID == vm.id {
			p.vmID, p.linkID = "", ""
		}
	}
	for _, lb := range s.lbs {
		lb.backends = slices.DeleteFunc(lb.backends, func(id string) bool { return id == vm.id })
	}
}

// updateVm changes the attributes of a VM that UpdateVm takes and the
// server models: deletion protection, the source/destination check (Net
// only) and security groups (live, as on OUTSCALE), the VM type and user data (only while the VM is stopped
// (StopVms): refused otherwise, as OUTSCALE refuses them on a running VM).
func (s *Server) updateVm(body []byte) (map[string]any, *apiError) {
	var in struct {
		VmId                string
		DeletionProtection  *bool
		IsSourceDestChecked *bool
		SecurityGroupIds    []string
		VmType, UserData    string
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	vm := s.vms[in.VmId]
	if vm == nil || vm.state == "terminated" {
		return nil, notFound(codeNotFoundVM, "Vm", in.VmId)
	}
	if ((in.VmType != "" && in.VmType != vm.vmType) || (in.UserData != "" && in.UserData != vm.userData)) && vm.state != "stopped" {
		return nil, conflict(codeDependency, "The VM '%s' must be stopped to change its type or user data", in.VmId)
	}
	if in.VmType != "" {
		vm.vmType = in.VmType
	}
	if in.UserData != "" {
		vm.userData = in.UserData
	}
	if in.SecurityGroupIds != nil {
		for _, id := range in.SecurityGroupIds {
			g := s.sgs[id]
			if g == nil {
				return nil, notFound(codeNotFoundSG, "SecurityGroup", id)
			}
			if g.netID != vm.netID {
				return nil, invalidValue(codeInvalidParameterValue, "The security group '%s' is not in the Net of VM '%s'", id, in.VmId)
			}
		}
		if lim := s.quota("vm_sg_limit"); len(in.SecurityGroupIds) > lim {
			return nil, quotaExceeded("vm_sg_limit", lim)
		}
		vm.sgIDs = slices.Clone(in.SecurityGroupIds)
	}
	if in.DeletionProtection != nil {
		vm.protected = *in.DeletionProtection
	}
	if in.IsSourceDestChecked != nil {
		if vm.netID == "" {
			return nil, invalidValue(codeInvalidParameterValue, "IsSourceDestChecked applies to a VM in a Net only; VM '%s' is not in one", in.VmId)
		}
		vm.forwards = !*in.IsSourceDestChecked
	}
	return map[string]any{"Vm": s.renderVM(vm)}, nil
}

type vmStateOut struct{ VmId, PreviousState, CurrentState string }

func (s *Server) deleteVms(body []byte) (map[string]any, *apiError) {
	var in struct{ VmIds []string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, id := range in.VmIds {
		vm := s.vms[id]
		if vm == nil {
			return nil, notFound(codeNotFoundVM, "Vm", id)
		}
		if vm.protected {
			return nil, conflict(codeDependency, "The VM '%s' has deletion protection", id)
		}
	}
	out := []vmStateOut{}
	for _, id := range in.VmIds {
		vm := s.vms[id]
		prev := vm.state
		if vm.state != "terminated" && vm.state != "shutting-down" {
			vm.state = "shutting-down"
			vm.left = s.opts.PendingReads
			if vm.left == 0 {
				s.terminate(vm)
			}
		}
		out = append(out, vmStateOut{VmId: id, PreviousState: prev, CurrentState: vm.state})
	}
	return map[string]any{"Vms": out}, nil
}

type vmsStateOut struct {
	VmId              string
	VmState           string
	SubregionName     string
	MaintenanceEvents []struct{}
}

func (s *Server) readVmsState(body []byte) (map[string]any, *apiError) {
	var in struct {
		readRequest
		AllVms bool
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	var f struct {
		Filters struct{ VmIds, SubregionNames, VmStates []string }
	}
	if e := decode(body, &f); e != nil {
		return nil, e
	}
	var out []vmsStateOut
	for _, id := range sortedKeys(s.vms) {
		vm := s.vms[id]
		if (vm.state == "running" || in.AllVms) && any1(f.Filters.VmIds, id) && any1(f.Filters.SubregionNames, vm.subregion) && any1(f.Filters.VmStates, vm.state) {
			out = append(out, vmsStateOut{VmId: id, VmState: vm.state, SubregionName: vm.subregion, MaintenanceEvents: []struct{}{}})
		}
	}
	return pageOut("VmStates", out, &in.readRequest)
}

func (s *Server) readImages(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []imageOut
	for _, im := range s.images() {
		if cp := s.copies[im.ImageId]; cp != nil {
			if any1(f.ImageIds, im.ImageId) && any1(f.ImageNames, im.ImageName) && any1(f.States, im.State) && s.tagsMatch(im.ImageId, f) {
				out = append(out, im)
				if cp.state == "pending" && tick(&cp.left) {
					cp.state = "available"
				}
			}
			continue
		}
		if any1(f.ImageIds, im.ImageId) && any1(f.ImageNames, im.ImageName) && any1(f.States, "available") && s.tagsMatch(im.ImageId, f) {
			im.State, im.Architecture, im.AccountAlias, im.AccountId = "available", "x86_64", "Outscale", "000000000000"
			im.ImageType, im.RootDeviceName, im.RootDeviceType, im.CreationDate = "machine", "/dev/sda1", "bsu", fixedDate
			im.FileLocation, im.ProductCodes, im.Tags = "Outscale/"+im.ImageName, []string{"0001"}, []tag{}
			out = append(out, im)
		}
	}
	return pageOut("Images", out, &in)
}
