package pattern

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// FlowLogs says where the Net's flow logs go. The zero value records all
// traffic to a CloudWatch Logs group, "/archkit/<deployment>/flow-logs",
// kept for a year (AWS Foundational Security Best Practices EC2.6 and
// CloudWatch.16); see [blueprint.FlowLogSpec].
type FlowLogs struct {
	// Off builds the Net without flow logs.
	Off bool
	// S3Bucket sends them to this bucket (its ARN, with an optional
	// folder) instead of CloudWatch Logs.
	S3Bucket string
	// RetentionDays is how long the log group keeps them; 0: 365.
	RetentionDays int
	// TrafficType is ALL (when ""), ACCEPT or REJECT.
	TrafficType string
}

// validateGrants checks that every database or broker secret a cluster
// is granted is the secret of a managed database or broker of the
// architecture.
func (d *design) validateGrants() []error {
	var errs []error
	for i := range d.arch.Clusters {
		c := &d.arch.Clusters[i]
		for j, g := range c.Grants {
			f := fmt.Sprintf("clusters[%d].grants[%d].name", i, j)
			switch _, db := d.dbs[g.Name]; {
			case g.Kind == tier.GrantDatabaseSecret && !db:
				errs = append(errs, errf(f, g.Name, "no managed database in that tier", "name the tier of one of the architecture's Databases"))
			case g.Kind == tier.GrantBrokerSecret && d.brokers[g.Name] == nil:
				errs = append(errs, errf(f, g.Name, "no managed broker in that tier", "name the tier of one of the architecture's Brokers (AddBroker)"))
			}
		}
	}
	return errs
}

// flowLogs adds the Net's flow log unless the architecture turns it off.
func (b *bpBuilder) flowLogs() {
	fl := b.d.arch.FlowLogs
	if fl.Off {
		return
	}
	flID := id(blueprint.KindFlowLog, b.d.net)
	spec := &blueprint.FlowLogSpec{Net: blueprint.Ref(b.netID), TrafficType: fl.TrafficType}
	if fl.S3Bucket != "" {
		spec.Destination, spec.Bucket = blueprint.FlowLogsToS3, fl.S3Bucket
	} else {
		spec.LogGroup = "/archkit/" + b.d.arch.Name + "/flow-logs"
		spec.Role = blueprint.IAMName(b.d.arch.Name, flID)
		spec.RetentionDays = fl.RetentionDays
	}
	b.add(blueprint.Resource{ID: flID, Kind: blueprint.KindFlowLog, FlowLog: spec})
}

// instanceRole adds the role of a cluster that has grants and returns its
// id, or "" for a cluster without grants.
func (b *bpBuilder) instanceRole(c *tier.Cluster) blueprint.Ref {
	if len(c.Grants) == 0 {
		return ""
	}
	rid := id(blueprint.KindInstanceRole, c.Tier)
	b.add(blueprint.Resource{ID: rid, Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: blueprint.IAMName(b.d.arch.Name, rid), Statements: blueprint.FromTier(tier.Statements(c.Grants))}})
	return blueprint.Ref(rid)
}
