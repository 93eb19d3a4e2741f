package pattern

import (
	"cmp"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// Bastion is how [Architecture.AddBastionHost] builds a bastion host: the
// way in to the nodes of a Net (the three-tier document: "connect to VMs
// inside a Net through a bastion host or a VPN connection").
//
// The zero value is not a bastion: give Image, and Admins or
// SessionManager.
type Bastion struct {
	// Admins may open SSH (tcp/22) to the bastion, and nothing else may:
	// an admin CIDR (netplan.CIDR) or a peer with a VPN (netplan.Peer and
	// [Architecture.VPN]). Required unless SessionManager.
	Admins netplan.Endpoint
	// Image is the AMI or OMI the bastion starts from.
	Image string
	// InstanceType is the type of its nodes; "": [DefaultBastionType].
	InstanceType string
	// PublicKey is the SSH public key that logs in, one OpenSSH
	// authorized_keys line; it becomes a key pair in the cloud (AWS
	// ImportKeyPair, OUTSCALE CreateKeypair). Never a private key: Build
	// refuses one. "": no key pair; the image decides who logs in.
	PublicKey tier.PublicKey
	// PerZone runs one bastion in each zone of the Net, so that losing a
	// zone leaves one to use. false: one bastion, which the cloud starts
	// again in another zone when its own fails (on AWS; on OUTSCALE the
	// engine's next apply does).
	PerZone bool
	// SessionManager reaches the bastion through AWS Systems Manager
	// Session Manager instead of SSH: no inbound rule at all, the nodes
	// open HTTPS (tcp/443) out to the Systems Manager endpoints, and run
	// with a role that archkit derives from the grant
	// [tier.SessionManager] (the SSM Agent's five actions, nothing else),
	// or with InstanceProfile when given. AWS only: the OUTSCALE driver
	// refuses the role (or the profile) before any call.
	SessionManager bool
	// InstanceProfile is the name of an IAM instance profile the account
	// already has, whose role allows Session Manager (for example with the
	// managed policy AmazonSSMManagedInstanceCore), used instead of the
	// derived role. "" (the default): archkit makes the role.
	InstanceProfile string
	// Targets are the tiers the bastion may open SSH to.
	Targets []string
}

// AddBastionHost adds a public bastion tier named name and its machines,
// as b says: one node, or one per zone, from b.Image, with b.PublicKey
// as its key pair, reachable on SSH from b.Admins only, or through
// Session Manager with no inbound rule. The bastion may open SSH to each
// of b.Targets. A problem with b (no image, a private key, SSH admins
// with Session Manager) is reported by Build, naming the field.
//
//	arch.AddBastionHost("bastion", pattern.Bastion{
//		Admins:    netplan.CIDR(netip.MustParsePrefix("203.0.113.0/24")),
//		Image:     "ami-0abc",
//		PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@laptop",
//		PerZone:   true,
//		Targets:   []string{"app"},
//	})
func (a *Architecture) AddBastionHost(name string, b Bastion) *Architecture {
	if a == nil {
		return nil
	}
	f := "bastion[" + name + "]"
	a.AddTier(tier.Bastion(name))
	c := tier.NewCluster(name, b.Image, cmp.Or(b.InstanceType, DefaultBastionType))
	c.Min, c.Desired, c.Max = 1, 1, 1
	c.PerZone, c.SSHPublicKey, c.InstanceProfile = b.PerZone, b.PublicKey, b.InstanceProfile
	if b.SessionManager && b.InstanceProfile == "" {
		c.Grants = []tier.Grant{tier.SessionManager()}
	}
	a.AddCluster(c)
	switch {
	case !b.SessionManager && b.InstanceProfile != "":
		a.errs = append(a.errs, bastionError(f+".instance_profile", b.InstanceProfile, "an instance profile without Session Manager",
			"set SessionManager, or drop the profile"))
	case b.SessionManager && !noEndpoint(b.Admins):
		a.errs = append(a.errs, bastionError(f+".admins", b.Admins.String(), "SSH admins with Session Manager, which opens no inbound port",
			"drop the admins, or SessionManager"))
	case !b.SessionManager && noEndpoint(b.Admins):
		a.errs = append(a.errs, bastionError(f+".admins", "none", "no way in",
			"give the admin CIDR (netplan.CIDR) or the VPN peer (netplan.Peer), or set SessionManager on AWS"))
	}
	if b.SessionManager {
		a.sessionManager = append(a.sessionManager, name)
		a.AddFlow(netplan.Flow{From: netplan.Tier(name), To: netplan.Internet(), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(443),
			Description: "Session Manager"})
	} else if !noEndpoint(b.Admins) {
		a.AddFlow(netplan.Flow{From: b.Admins, To: netplan.Tier(name), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(22), Description: "admins"})
	}
	for _, t := range b.Targets {
		a.AddFlow(netplan.Flow{From: netplan.Tier(name), To: netplan.Tier(t), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(22), Description: "ssh from bastion"})
	}
	return a
}

func bastionError(field, input, problem, fix string) error {
	return &netplan.FieldError{Package: "pattern", Field: field, Input: input, Problem: problem, Fix: fix, Err: ErrInvalid}
}

// noEndpoint reports whether e is the zero Endpoint: no admins given.
func noEndpoint(e netplan.Endpoint) bool {
	return e.Kind == netplan.EndpointTier && e.Name == "" && len(e.Prefixes) == 0
}
