package osctest

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// tag is a ResourceTag (Key, Value) and, in ReadTags answers, a Tag.
type tag struct {
	Key   string
	Value string
}

// filters holds the union of the Filters fields the server honours.
// Values inside one field are alternatives; fields combine with AND.
type filters struct {
	NetIds, SubnetIds, States, SubregionNames, IpRanges []string
	TagKeys, TagValues, Tags                            []string
	InternetServiceIds, LinkNetIds                      []string
	PublicIpIds, PublicIps, VmIds, LinkPublicIpIds      []string
	NatServiceIds, ClientTokens                         []string
	RouteTableIds, LinkSubnetIds, LinkRouteTableIds     []string
	LinkRouteTableMain                                  *bool
	SecurityGroupIds, SecurityGroupNames                []string
	VmStateNames, ImageIds, ImageNames                  []string
	LoadBalancerNames                                   []string
	KeypairIds, KeypairNames, KeypairFingerprints       []string
	KeypairTypes                                        []string
	SnapshotIds, VolumeIds                              []string
	Keys, Values, ResourceIds, ResourceTypes            []string
	QuotaNames, Collections, QuotaTypes                 []string
	VirtualGatewayIds, ClientGatewayIds                 []string
	VpnConnectionIds                                    []string
	NetPeeringIds, SourceNetNetIds, AccepterNetNetIds   []string
	StateNames                                          []string
	NetAccessPointIds, ServiceNames                     []string
}

// readRequest is the common part of every Read* request.
type readRequest struct {
	Filters        filters
	NextPageToken  string
	ResultsPerPage int
}

// any1 reports whether list is empty (no filter) or contains v.
func any1(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }

// anyOf reports whether list is empty or shares a value with vs.
func anyOf(list []string, vs []string) bool {
	if len(list) == 0 {
		return true
	}
	for _, v := range vs {
		if slices.Contains(list, v) {
			return true
		}
	}
	return false
}

// tagsMatch applies TagKeys, TagValues and Tags ("KEY=VALUE", exact).
func (s *Server) tagsMatch(id string, f *filters) bool {
	ts := s.tags[id]
	if len(f.TagKeys) > 0 && !slices.ContainsFunc(ts, func(t tag) bool { return slices.Contains(f.TagKeys, t.Key) }) {
		return false
	}
	if len(f.TagValues) > 0 && !slices.ContainsFunc(ts, func(t tag) bool { return slices.Contains(f.TagValues, t.Value) }) {
		return false
	}
	if len(f.Tags) > 0 && !slices.ContainsFunc(ts, func(t tag) bool { return slices.Contains(f.Tags, t.Key+"="+t.Value) }) {
		return false
	}
	return true
}

func (s *Server) tagList(id string) []tag {
	ts := s.tags[id]
	if ts == nil {
		return []tag{}
	}
	return slices.Clone(ts)
}

func setTag(ts []tag, t tag) []tag {
	for i := range ts {
		if ts[i].Key == t.Key {
			ts[i].Value = t.Value
			return ts
		}
	}
	return append(ts, t)
}

// paginate cuts items by NextPageToken / ResultsPerPage and returns the page
// and the token of the next one ("" when it is the last).
func paginate[T any](items []T, req *readRequest) ([]T, string, *apiError) {
	start := 0
	if req.NextPageToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(req.NextPageToken)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || n < 0 || n > len(items) || !strings.HasPrefix(string(b), "offset:") {
			return nil, "", invalidValue(codeInvalidParameterValue, "invalid NextPageToken %q", req.NextPageToken)
		}
		start = n
	}
	per := req.ResultsPerPage
	if per <= 0 {
		per = 100
	}
	end := min(start+per, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return items[start:end], next, nil
}

// pageOut builds a Read* answer with the page under key.
func pageOut[T any](key string, items []T, req *readRequest) (map[string]any, *apiError) {
	if items == nil {
		items = []T{}
	}
	page, next, e := paginate(items, req)
	if e != nil {
		return nil, e
	}
	out := map[string]any{key: page}
	if next != "" {
		out["NextPageToken"] = next
	}
	return out, nil
}

// sortedKeys returns the ids of m in creation order (ids carry a counter).
func sortedKeys[T any](m map[string]T) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b string) int {
		return strings.Compare(a[strings.LastIndexByte(a, '-')+1:], b[strings.LastIndexByte(b, '-')+1:])
	})
	return ks
}

// resourceType returns the ReadTags ResourceType of id, or "" when id is unknown.
func (s *Server) resourceType(id string) string {
	switch {
	case s.nets[id] != nil:
		return "vpc"
	case s.subnets[id] != nil:
		return "subnet"
	case s.igws[id] != nil:
		return "internet-gateway"
	case s.pips[id] != nil:
		return "public-ip"
	case s.nats[id] != nil:
		return "natgateway"
	case s.rtbs[id] != nil:
		return "route-table"
	case s.sgs[id] != nil:
		return "security-group"
	case s.vms[id] != nil:
		return "instance"
	case s.imageByID(id) != nil:
		return "image"
	case s.keypairs[id] != nil:
		return "keypair"
	case s.vgws[id] != nil:
		return "virtual-private-gateway"
	case s.cgws[id] != nil:
		return "customer-gateway"
	case s.vpns[id] != nil:
		return "vpn-connection"
	case s.peerings[id] != nil:
		return "vpc-peering-connection"
	case s.accessPoints[id] != nil:
		return "vpc-endpoint"
	case s.snapshots[id] != nil:
		return "snapshot"
	case s.volumeVM(id) != nil:
		return "volume"
	}
	return ""
}

func init() {
	handlers["CreateTags"] = (*Server).createTags
	handlers["DeleteTags"] = (*Server).deleteTags
	handlers["ReadTags"] = (*Server).readTags
}

type tagsRequest struct {
	ResourceIds []string
	Tags        []tag
}

func (s *Server) createTags(body []byte) (map[string]any, *apiError) {
	var in tagsRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, id := range in.ResourceIds {
		if s.resourceType(id) == "" {
			return nil, notFound(codeNotFoundResource, "resource", id)
		}
	}
	for _, id := range in.ResourceIds {
		for _, t := range in.Tags {
			if t.Key == "" || len(t.Key) > 255 || len(t.Value) > 255 {
				return nil, invalidValue(codeInvalidParameterValue, "tag key must be 1-255 characters and value 0-255: %q", t.Key)
			}
		}
		ts := s.tags[id]
		for _, t := range in.Tags {
			ts = setTag(ts, t)
		}
		if len(ts) > 50 {
			return nil, quotaExceeded("tags_per_resource", 50)
		}
		s.tags[id] = ts
	}
	return nil, nil
}

func (s *Server) deleteTags(body []byte) (map[string]any, *apiError) {
	var in tagsRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, id := range in.ResourceIds {
		s.tags[id] = slices.DeleteFunc(s.tags[id], func(t tag) bool {
			return slices.ContainsFunc(in.Tags, func(d tag) bool { return d.Key == t.Key && (d.Value == "" || d.Value == t.Value) })
		})
	}
	return nil, nil
}

type tagOut struct {
	Key, Value, ResourceId, ResourceType string
}

func (s *Server) readTags(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []tagOut
	for _, id := range sortedKeys(s.tags) {
		rt := s.resourceType(id)
		if rt == "" || !any1(f.ResourceIds, id) || !any1(f.ResourceTypes, rt) {
			continue
		}
		for _, t := range s.tags[id] {
			if any1(f.Keys, t.Key) && any1(f.Values, t.Value) {
				out = append(out, tagOut{Key: t.Key, Value: t.Value, ResourceId: id, ResourceType: rt})
			}
		}
	}
	return pageOut("Tags", out, &in)
}

// tick advances a transient state: it returns true when *left reaches zero.
func tick(left *int) bool {
	if *left > 0 {
		*left--
	}
	return *left == 0
}
