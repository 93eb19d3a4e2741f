package outscale

import (
	"context"
	"net/http"
	"slices"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

// Bookkeeping tags. Fields of a spec that OUTSCALE has no place for (the
// tier of a subnet, the ordering refs of a NAT service, the bounds of a
// cluster) are kept in tags under metaPrefix; the ownership tags of a
// security_group_rules resource live on its group under rulesPrefix. Both
// are hidden from Observed.Tags.
const (
	metaPrefix  = "archkit:x/"
	rulesPrefix = metaPrefix + "rules/"
)

// Bookkeeping tag keys.
const (
	tagTier        = metaPrefix + "tier"
	tagZone        = metaPrefix + "zone"
	tagRefIGW      = metaPrefix + "internet_gateway"
	tagRefRoute    = metaPrefix + "public_route"
	tagLBType      = metaPrefix + "type"
	tagLBSubnets   = metaPrefix + "subnets"
	tagCluster     = metaPrefix + "cluster"
	tagNode        = metaPrefix + "node"
	tagMin         = metaPrefix + "min"
	tagMax         = metaPrefix + "max"
	tagStateless   = metaPrefix + "stateless"
	tagSubnets     = metaPrefix + "subnets"
	tagLBs         = metaPrefix + "load_balancers"
	tagTargetPort  = metaPrefix + "target_port"
	tagClusterTier = metaPrefix + "tier"
)

// resourceTags returns m as OUTSCALE tags, sorted by key.
func resourceTags(m map[string]string) []osc.ResourceTag {
	out := make([]osc.ResourceTag, 0, len(m))
	for k, v := range m {
		out = append(out, osc.ResourceTag{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b osc.ResourceTag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// tagMap returns OUTSCALE tags as a map.
func tagMap(ts []osc.ResourceTag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Key] = t.Value
	}
	return m
}

// ownerFilter is the Tags filter of ReadX calls that selects a deployment:
// one exact "KEY=VALUE" pair (TagKeys and TagValues would match
// independently).
func ownerFilter(q driver.Query) *[]string {
	if q.Deployment == "" {
		return nil
	}
	return &[]string{driver.TagDeployment + "=" + q.Deployment}
}

// netFilter returns q.NetIDs for the NetIds filter of ReadX calls, or nil.
func netFilter(q driver.Query) *[]string {
	if len(q.NetIDs) == 0 {
		return nil
	}
	ids := slices.Clone(q.NetIDs)
	return &ids
}

// idFilter returns ids for an Ids filter, or nil.
func idFilter(ids []string) *[]string {
	if len(ids) == 0 {
		return nil
	}
	c := slices.Clone(ids)
	return &c
}

// owned reports whether tags belong to q's deployment (any tags do when q
// names none: Read by id).
func owned(q driver.Query, tags map[string]string) bool {
	return q.Deployment == "" || tags[driver.TagDeployment] == q.Deployment
}

// tagged is what every OUTSCALE resource is: it carries tags.
type tagged[T any] interface {
	*T
	GetTags() []osc.ResourceTag
}

// ownedObserved maps the items that belong to q's deployment to their
// Observed, with observe: the end of every List.
//
//	return ownedObserved(q, nets, netObserved), nil
func ownedObserved[T any, P tagged[T]](q driver.Query, items []T, observe func(T, map[string]string) driver.Observed) []driver.Observed {
	var out []driver.Observed
	for i := range items {
		tags := tagMap(P(&items[i]).GetTags())
		if owned(q, tags) {
			out = append(out, observe(items[i], tags))
		}
	}
	return out
}

// withMeta returns a copy of tags plus the bookkeeping tags in meta (empty
// values are left out).
func withMeta(tags map[string]string, meta map[string]string) map[string]string {
	out := make(map[string]string, len(tags)+len(meta))
	for k, v := range tags {
		out[k] = v
	}
	for k, v := range meta {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// createTags puts tags on the resource id with CreateTags (it replaces the
// values of existing keys).
func (d *Driver) createTags(ctx context.Context, op string, kind blueprint.Kind, id string, tags map[string]string) error {
	return d.createTagsOn(ctx, op, kind, []string{id}, tags)
}

func (d *Driver) createTagsOn(ctx context.Context, op string, kind blueprint.Kind, ids []string, tags map[string]string) error {
	if len(tags) == 0 || len(ids) == 0 {
		return nil
	}
	req := osc.CreateTagsRequest{ResourceIds: ids, Tags: resourceTags(tags)}
	_, err := call(ctx, d, "CreateTags", string(kind), ids[0], func(ctx context.Context) (osc.CreateTagsResponse, *http.Response, error) {
		return d.api.TagApi.CreateTags(ctx).CreateTagsRequest(req).Execute()
	})
	return err
}

// tagNew tags a resource just created. OUTSCALE creates most resources
// without tags, so a failure here would leave an untagged resource that no
// List finds again: the resource is then deleted (rollback, best effort)
// and the tagging error returned, so that the next apply starts clean.
func (d *Driver) tagNew(ctx context.Context, kind blueprint.Kind, id string, tags map[string]string, rollback func(ctx context.Context) error) error {
	err := d.createTags(ctx, "Create", kind, id, tags)
	if err != nil && rollback != nil {
		_ = rollback(context.WithoutCancel(ctx))
	}
	return err
}

// pages calls fetch until the returned page token is empty and
// concatenates the items.
func pages[T any](fetch func(token *string) ([]T, string, error)) ([]T, error) {
	var out []T
	var token *string
	for {
		items, next, err := fetch(token)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		token = &next
	}
}

// findOwned returns what an earlier attempt of req made: the resource of
// kind with the logical id and the token (the life) of req among those of
// req.Deployment, if one exists: the discovery before each create that
// makes Create idempotent for the kinds with no client token. The token
// keeps a replacement from taking the resource it replaces. It reads
// only when the create may repeat an earlier attempt (package resend).
func (d *Driver) findOwned(ctx context.Context, req driver.Request, list func(context.Context, driver.Query, []string) ([]driver.Observed, error)) (driver.Observed, bool, error) {
	if !resend.Resending(ctx) {
		return driver.Observed{}, false, nil
	}
	obs, err := list(ctx, driver.Query{Deployment: req.Deployment}, nil)
	if err != nil {
		return driver.Observed{}, false, err
	}
	for _, o := range obs {
		if o.LogicalID == req.Resource.ID && o.Tags[driver.TagToken] == req.Tags[driver.TagToken] {
			return o, true, nil
		}
	}
	return driver.Observed{}, false, nil
}
