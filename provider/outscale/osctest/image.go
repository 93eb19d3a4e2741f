package osctest

import (
	"slices"
	"strings"
	"sync"
)

// imageRes is an OMI made by CreateImage: a copy of another OMI of this
// region or of another one (SourceImageId, SourceRegionName), backed by a
// snapshot of its own, which DeleteImage leaves (as OUTSCALE does).
type imageRes struct {
	id, name, description  string
	sourceID, sourceRegion string
	snapshotID             string
	state                  string
	left                   int
}

// bdmImage is a BlockDeviceMappingImage: the root volume's snapshot.
type bdmImage struct {
	DeviceName string
	Bsu        bsuImage
}

type bsuImage struct {
	SnapshotId         string
	VolumeSize         int
	VolumeType         string
	DeleteOnVmDeletion bool
}

// codeImageNameExists is the answer to a CreateImage whose name another
// OMI of the account has (chosen).
const codeImageNameExists = "9010"

// regionLinks are the servers of other regions whose OMIs CreateImage
// copies from ([Server.LinkRegion]), and the ids of the OMIs each server
// made: read without the server's lock, so that two servers copying from
// each other never wait for each other.
type regionLinks struct {
	mu      sync.Mutex
	regions map[string]*Server
	made    sync.Map // OMI id -> true, the copies this server holds
}

// LinkRegion makes the OMIs of other, the test server of region, the
// sources CreateImage copies from when its SourceRegionName is region:
// two servers stand for two regions of one account. A copy from a region
// the server is not linked to answers InvalidParameterValue.
func (s *Server) LinkRegion(region string, other *Server) {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	if s.links.regions == nil {
		s.links.regions = map[string]*Server{}
	}
	s.links.regions[region] = other
}

// hasImage reports, without the server's lock, whether OMI id exists on
// the server: a fixed one, one of Options.Images or a copy it made.
func (s *Server) hasImage(id string) bool {
	if slices.ContainsFunc(images, func(im imageOut) bool { return im.ImageId == id }) || slices.Contains(s.opts.Images, id) {
		return true
	}
	_, ok := s.links.made.Load(id)
	return ok
}

// sourceImage finds the OMI a copy is made from.
func (s *Server) sourceImage(id, region string) *apiError {
	src := s
	if region != s.opts.Region {
		s.links.mu.Lock()
		src = s.links.regions[region]
		s.links.mu.Unlock()
		if src == nil {
			return invalidValue(codeInvalidParameterValue, "SourceRegionName %q: not a region this server is linked to (Server.LinkRegion)", region)
		}
	}
	if !src.hasImage(id) {
		return notFound(codeNotFoundImage, "Image", id)
	}
	return nil
}

// imageNameRune is a character OUTSCALE takes in an OMI name: letters,
// digits, underscores, spaces, parentheses, slashes, periods and dashes
// (CreateImage ImageName: 3 to 128 characters).
func imageNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_ ()/.-", r)
}

func init() {
	handlers["CreateImage"] = (*Server).createImage
	handlers["DeleteImage"] = (*Server).deleteImage
	handlers["DeleteSnapshot"] = (*Server).deleteSnapshot
}

// createImage copies an OMI: SourceImageId and SourceRegionName together
// (the API's copy form). Images made from a VM (VmId), from a manifest
// (FileLocation) or from snapshots (BlockDeviceMappings) are not modelled:
// refused. The copy is pending for PendingReads reads of ReadImages, then
// available; its name is unique in the account.
func (s *Server) createImage(body []byte) (map[string]any, *apiError) {
	var in struct {
		ImageName, Description, SourceImageId, SourceRegionName, VmId, FileLocation string
		BlockDeviceMappings                                                         []struct{}
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	switch {
	case in.VmId != "" || in.FileLocation != "" || len(in.BlockDeviceMappings) > 0:
		return nil, invalidValue(codeInvalidParameter, "osctest models copies of OMIs only (SourceImageId and SourceRegionName)")
	case in.SourceImageId == "" || in.SourceRegionName == "":
		return nil, invalidValue(codeMissingParameter, "SourceImageId and SourceRegionName are required to copy an OMI")
	case len(in.ImageName) < 3 || len(in.ImageName) > 128 || strings.IndexFunc(in.ImageName, func(r rune) bool { return !imageNameRune(r) }) >= 0:
		return nil, invalidValue(codeInvalidParameterValue, "ImageName %q: 3 to 128 letters, digits, underscores, spaces, parentheses, slashes, periods or dashes", in.ImageName)
	}
	if slices.ContainsFunc(s.images(), func(im imageOut) bool { return im.ImageName == in.ImageName }) {
		return nil, conflict(codeImageNameExists, "an OMI named %q exists", in.ImageName)
	}
	if e := s.sourceImage(in.SourceImageId, in.SourceRegionName); e != nil {
		return nil, e
	}
	im := &imageRes{id: s.newID("ami"), name: in.ImageName, description: in.Description, sourceID: in.SourceImageId,
		sourceRegion: in.SourceRegionName, state: "pending", left: s.opts.PendingReads}
	if im.left == 0 {
		im.state = "available"
	}
	sn := &snapshotRes{id: s.newID("snap"), description: "Created by CreateImage(" + im.id + ") from " + in.SourceImageId, state: "completed"}
	im.snapshotID = sn.id
	s.snapshots[sn.id] = sn
	s.copies[im.id] = im
	s.links.made.Store(im.id, true)
	return map[string]any{"Image": s.renderImage(im)}, nil
}

// renderImage is the Image of a copy.
func (s *Server) renderImage(im *imageRes) imageOut {
	return imageOut{ImageId: im.id, ImageName: im.name, Description: im.description, State: im.state, Architecture: "x86_64",
		AccountId: s.opts.AccountID, ImageType: "machine", RootDeviceName: "/dev/sda1", RootDeviceType: "bsu", CreationDate: fixedDate,
		FileLocation: s.opts.AccountID + "/" + im.name, ProductCodes: []string{"0001"}, Tags: s.tagList(im.id),
		BlockDeviceMappings: []bdmImage{{DeviceName: "/dev/sda1", Bsu: bsuImage{SnapshotId: im.snapshotID, VolumeSize: 10, VolumeType: "standard", DeleteOnVmDeletion: true}}}}
}

// deleteImage deletes a copy; its snapshot stays. The fixed OMIs and
// those of Options.Images are not the account's: refused.
func (s *Server) deleteImage(body []byte) (map[string]any, *apiError) {
	var in struct{ ImageId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if s.copies[in.ImageId] == nil {
		if s.imageByID(in.ImageId) != nil {
			return nil, invalidValue(codeInvalidParameterValue, "OMI %s is not the account's", in.ImageId)
		}
		return nil, notFound(codeNotFoundImage, "Image", in.ImageId)
	}
	delete(s.copies, in.ImageId)
	delete(s.tags, in.ImageId)
	s.links.made.Delete(in.ImageId)
	return map[string]any{}, nil
}

// deleteSnapshot deletes a snapshot that no OMI is made of.
func (s *Server) deleteSnapshot(body []byte) (map[string]any, *apiError) {
	var in struct{ SnapshotId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if s.snapshots[in.SnapshotId] == nil {
		return nil, notFound(codeNotFoundSnapshot, "Snapshot", in.SnapshotId)
	}
	for _, id := range sortedKeys(s.copies) {
		if s.copies[id].snapshotID == in.SnapshotId {
			return nil, conflict(codeDependency, "snapshot %s is used by OMI %s", in.SnapshotId, id)
		}
	}
	delete(s.snapshots, in.SnapshotId)
	delete(s.tags, in.SnapshotId)
	return map[string]any{}, nil
}
