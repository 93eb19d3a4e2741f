package osctest

import "slices"

// bdmOut is a BlockDeviceMappingCreated: the root BSU volume every VM of
// the server has.
type bdmOut struct {
	DeviceName string
	Bsu        bsuOut
}

type bsuOut struct {
	VolumeId           string
	State              string
	DeleteOnVmDeletion bool
	LinkDate           string
}

// snapshotRes is a BSU snapshot: it outlives its volume and the VM.
type snapshotRes struct {
	id, volumeID, description, clientToken string
	state                                  string
	left                                   int
}

type snapshotOut struct {
	SnapshotId, VolumeId, Description, State string
	ClientToken                              string `json:",omitempty"`
	AccountId, CreationDate                  string
	Progress, VolumeSize                     int
	Tags                                     []tag
}

func init() {
	handlers["CreateSnapshot"] = (*Server).createSnapshot
	handlers["ReadSnapshots"] = (*Server).readSnapshots
}

// volumeVM returns the live VM whose root volume is id, or nil.
func (s *Server) volumeVM(id string) *vmRes {
	if id == "" {
		return nil
	}
	for _, vm := range s.vms {
		if vm.volumeID == id {
			return vm
		}
	}
	return nil
}

func (s *Server) renderSnapshot(sn *snapshotRes) snapshotOut {
	progress := 100
	if sn.state == "pending" {
		progress = 50
	}
	return snapshotOut{SnapshotId: sn.id, VolumeId: sn.volumeID, Description: sn.description, State: sn.state,
		ClientToken: sn.clientToken, AccountId: s.opts.AccountID, CreationDate: fixedDate, Progress: progress,
		VolumeSize: 10, Tags: s.tagList(sn.id)}
}

// createSnapshot takes a snapshot of a volume, as OUTSCALE does whatever
// the VM's state (archkit stops a database's VMs first). A ClientToken
// already used answers the snapshot it made. Copies from another snapshot
// or region (SourceSnapshotId, FileLocation) are not modelled: refused.
func (s *Server) createSnapshot(body []byte) (map[string]any, *apiError) {
	var in struct{ VolumeId, Description, ClientToken, SourceSnapshotId, SourceRegionName, FileLocation string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.ClientToken != "" {
		for _, id := range sortedKeys(s.snapshots) {
			if sn := s.snapshots[id]; sn.clientToken == in.ClientToken {
				return map[string]any{"Snapshot": s.renderSnapshot(sn)}, nil
			}
		}
	}
	if in.SourceSnapshotId != "" || in.FileLocation != "" {
		return nil, invalidValue(codeInvalidParameter, "osctest models snapshots of volumes only (VolumeId)")
	}
	if in.VolumeId == "" {
		return nil, invalidValue(codeMissingParameter, "VolumeId is required")
	}
	if s.volumeVM(in.VolumeId) == nil {
		return nil, notFound(codeNotFoundVolume, "Volume", in.VolumeId)
	}
	sn := &snapshotRes{id: s.newID("snap"), volumeID: in.VolumeId, description: in.Description, clientToken: in.ClientToken,
		state: "pending", left: s.opts.PendingReads}
	if sn.left == 0 {
		sn.state = "completed"
	}
	s.snapshots[sn.id] = sn
	return map[string]any{"Snapshot": s.renderSnapshot(sn)}, nil
}

func (s *Server) readSnapshots(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []snapshotOut
	for _, id := range sortedKeys(s.snapshots) {
		sn := s.snapshots[id]
		if any1(f.SnapshotIds, id) && any1(f.VolumeIds, sn.volumeID) && any1(f.States, sn.state) &&
			(len(f.ClientTokens) == 0 || slices.Contains(f.ClientTokens, sn.clientToken)) && s.tagsMatch(id, f) {
			out = append(out, s.renderSnapshot(sn))
			if sn.state == "pending" && tick(&sn.left) {
				sn.state = "completed"
			}
		}
	}
	return pageOut("Snapshots", out, &in)
}

// stopVms stops running VMs: "stopping", then "stopped" after
// PendingReads reads. A stopped or stopping VM is left as it is.
func (s *Server) stopVms(body []byte) (map[string]any, *apiError) {
	var in struct{ VmIds []string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, id := range in.VmIds {
		if vm := s.vms[id]; vm == nil || vm.state == "terminated" || vm.state == "shutting-down" {
			return nil, notFound(codeNotFoundVM, "Vm", id)
		}
	}
	out := []vmStateOut{}
	for _, id := range in.VmIds {
		vm := s.vms[id]
		prev := vm.state
		if vm.state == "running" || vm.state == "pending" {
			vm.state, vm.left = "stopping", s.opts.PendingReads
			if vm.left == 0 {
				vm.state = "stopped"
			}
		}
		out = append(out, vmStateOut{VmId: id, PreviousState: prev, CurrentState: vm.state})
	}
	return map[string]any{"Vms": out}, nil
}
