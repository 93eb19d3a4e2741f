package tier

import (
	"errors"
	"fmt"
)

// Cluster is the set of nodes of one tier: identical VMs started from one
// image (an AMI or OMI), bootstrapped by cloud-init user data, spread
// evenly over the zones of the tier and kept between Min and Max.
//
// Stateless nodes (web, app) can be replaced and scaled out freely;
// stateful ones (a Percona database cluster, a RabbitMQ cluster, the cloud-native document)
// keep a fixed size. A Cluster with Stateless false and Max > Desired is
// reported by the lint of the pattern package.
type Cluster struct {
	// Tier names the tier the nodes run in.
	Tier         string `json:"tier"`
	Image        string `json:"image"`
	InstanceType string `json:"instance_type"`
	UserData     Secret `json:"user_data,omitempty"`
	Min          int    `json:"min"`
	Desired      int    `json:"desired"`
	Max          int    `json:"max"`
	Stateless    bool   `json:"stateless"`
	// Scaling is the target-tracking policy that moves the size between
	// Min and Max with the load. nil: the size stays at Desired. Only a
	// stateless cluster with Max > Min can have one.
	Scaling *Scaling `json:"scaling,omitempty"`

	// The secure defaults of the nodes, each with its opt-out (the zero
	// value is the secure choice; blueprint.ClusterSpec gives the controls
	// they meet and how each cloud applies them).

	// AllowIMDSv1 lets the nodes read the instance metadata without a
	// session token. false: IMDSv2 is required (AWS EC2.8,
	// AutoScaling.3).
	AllowIMDSv1 bool `json:"allow_imdsv1,omitempty"`
	// MetadataHopLimit bounds the network hops of the metadata service's
	// answers, 1 to 64; 0: 1, the node itself. Nodes whose containers read
	// the metadata need 2.
	MetadataHopLimit int `json:"metadata_hop_limit,omitempty"`
	// UnencryptedVolumes leaves the root volumes unencrypted. false: they
	// are encrypted with VolumeKMSKey (AWS EC2.3).
	UnencryptedVolumes bool `json:"unencrypted_volumes,omitempty"`
	// VolumeKMSKey is the KMS key (id, ARN or alias) of the root volumes;
	// "": the account's default EBS key.
	VolumeKMSKey string `json:"volume_kms_key,omitempty"`

	// Grants are what the nodes may use: queues, buckets, a managed
	// database's secret, parameter paths. The cluster gets a role whose
	// policy allows exactly those ([Statements]); none: no role at all.
	// On AWS, an IAM role with an instance profile named in the launch
	// template. OUTSCALE gives VMs no role (its identity service, EIM,
	// has users, groups and policies, but no roles or instance profiles).
	Grants []Grant `json:"grants,omitempty"`

	// Access to the nodes.

	// SSHPublicKey is the public key that may log in to the nodes over
	// SSH, an OpenSSH authorized_keys line ([PublicKey.Check]); Build
	// registers it with the cloud as a key pair (AWS ImportKeyPair,
	// OUTSCALE CreateKeypair) that the nodes start with. "": no key; the
	// image decides who logs in.
	SSHPublicKey PublicKey `json:"ssh_public_key,omitempty"`
	// InstanceProfile is the name of an AWS IAM instance profile the
	// nodes run with: for Systems Manager Session Manager, one whose role
	// has the managed policy AmazonSSMManagedInstanceCore. archkit does
	// not create it yet: give the name of one the account has. ""
	// (the default): none. OUTSCALE has no instance profiles.
	InstanceProfile string `json:"instance_profile,omitempty"`
	// PerZone runs one node in each zone of the tier: Build sets Min,
	// Desired and Max to the tier's number of zones, whatever they say.
	PerZone bool `json:"per_zone,omitempty"`
	// FloatingIP gives the tier one public IP that stays on a running
	// node (the active one) and moves to another (a standby) when it
	// stops: the failover of the OUTSCALE three-tier document for a tier
	// without a load balancer. It needs a public tier and at least two
	// nodes; OUTSCALE only (AWS: use a load balancer).
	FloatingIP bool `json:"floating_ip,omitempty"`
}

// Scaling is a target-tracking scaling policy: the cloud adds nodes when
// the average CPU of the cluster's nodes is above TargetCPUPercent and
// removes nodes when it is below, within the cluster's Min and Max (the
// cloud-native document: "add nodes when overloading instead of resizing a single node";
// the DMZ document: scale "when the traffic to servers increases beyond a
// threshold"). On AWS it is a TargetTrackingScaling policy of the
// autoscaling group on ASGAverageCPUUtilization.
//
// With TargetCPUPercent 60 and three nodes at 90% average CPU, the cloud
// adds about two nodes (3 x 90 / 60 = 4.5, rounded up to 5), so that the
// average falls back near 60%.
type Scaling struct {
	// TargetCPUPercent is the average CPU utilization to keep, 1 to 100.
	TargetCPUPercent int `json:"target_cpu_percent"`
	// WarmupSeconds is how long a new node runs before its metrics count
	// in the average, 0 to 3600. 0: the cloud's default (on AWS, the
	// group's default instance warmup, 300 seconds unless set).
	WarmupSeconds int `json:"warmup_seconds,omitempty"`
}

// DefaultScaling returns the policy the ready patterns give their
// stateless clusters: a target of 60% CPU and a warmup of 300 seconds.
func DefaultScaling() *Scaling { return &Scaling{TargetCPUPercent: 60, WarmupSeconds: 300} }

// validate checks s for the cluster c whose field prefix is f.
func (s *Scaling) validate(f string, c Cluster) []error {
	var errs []error
	if s.TargetCPUPercent < 1 || s.TargetCPUPercent > 100 {
		errs = append(errs, fieldError(f+".target_cpu_percent", fmt.Sprint(s.TargetCPUPercent), "outside 1-100 percent", "use 1 to 100, such as 60"))
	}
	if s.WarmupSeconds < 0 || s.WarmupSeconds > 3600 {
		errs = append(errs, fieldError(f+".warmup_seconds", fmt.Sprint(s.WarmupSeconds), "outside 0-3600 seconds", "use 0 (the cloud's default) to 3600, such as 300"))
	}
	if c.Max <= c.Min {
		errs = append(errs, fieldError(f, fmt.Sprintf("min %d, max %d", c.Min, c.Max), "nothing to scale", "raise max above min, or remove the scaling policy"))
	}
	if !c.Stateless {
		errs = append(errs, fieldError(f, "stateless false", "a stateful cluster is not autoscaled (the cloud-native document: databases and buses keep a fixed size)", "remove the scaling policy, or set stateless if the nodes keep no data"))
	}
	return errs
}

// NewCluster returns a stateless cluster of two nodes (one per zone of a
// two-zone Net) of instanceType from image. It keeps that size; to let it
// grow with its load, raise Max and give it a policy:
//
//	c := tier.NewCluster("web", "ami-0abc", "t3.small")
//	c.Max, c.Scaling = 6, tier.DefaultScaling() // 2 to 6 nodes, 60% CPU
func NewCluster(tierName, image, instanceType string) Cluster {
	return Cluster{Tier: tierName, Image: image, InstanceType: instanceType, Min: 2, Desired: 2, Max: 2, Stateless: true}
}

// Validate checks c and reports every problem at once.
func (c Cluster) Validate() error {
	var errs []error
	f := "cluster[" + c.Tier + "]"
	if c.Tier == "" {
		errs = append(errs, fieldError("cluster.tier", `""`, "empty tier", "name the tier the nodes run in"))
	}
	if c.Image == "" {
		errs = append(errs, fieldError(f+".image", `""`, "empty image", "give the AMI or OMI id the nodes start from"))
	}
	if c.InstanceType == "" {
		errs = append(errs, fieldError(f+".instance_type", `""`, "empty instance type", "give a type such as t3.small or tinav5.c1r2p2"))
	}
	if c.Min < 0 {
		errs = append(errs, fieldError(f+".min", fmt.Sprint(c.Min), "negative", "use 0 or more"))
	}
	if c.Desired < c.Min || c.Desired > c.Max {
		errs = append(errs, fieldError(f+".desired", fmt.Sprint(c.Desired), fmt.Sprintf("outside min..max %d..%d", c.Min, c.Max), "keep min <= desired <= max"))
	}
	if c.Max < 1 {
		errs = append(errs, fieldError(f+".max", fmt.Sprint(c.Max), "no node at all", "use max 1 or more"))
	}
	if c.Scaling != nil {
		errs = append(errs, c.Scaling.validate(f+".scaling", c)...)
	}
	if c.MetadataHopLimit < 0 || c.MetadataHopLimit > 64 {
		errs = append(errs, fieldError(f+".metadata_hop_limit", fmt.Sprint(c.MetadataHopLimit), "outside 1-64", "use 0 (1 hop, the default), or 2 for containers"))
	}
	if c.UnencryptedVolumes && c.VolumeKMSKey != "" {
		errs = append(errs, fieldError(f+".volume_kms_key", c.VolumeKMSKey, "a key for unencrypted volumes", "clear unencrypted_volumes, or the key"))
	}
	if err := ValidateGrants(f+".grants", c.Grants); err != nil {
		errs = append(errs, err)
	}
	if c.SSHPublicKey != "" {
		if err := c.SSHPublicKey.Check(f + ".ssh_public_key"); err != nil {
			errs = append(errs, err)
		}
	}
	if c.FloatingIP && c.Desired < 2 {
		errs = append(errs, fieldError(f+".floating_ip", "true", fmt.Sprintf("%d node(s): no standby for the IP to move to", c.Desired), "run at least 2 nodes (desired 2), or drop the floating IP"))
	}
	return errors.Join(errs...)
}
