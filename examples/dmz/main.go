// Command dmz builds the DMZ zones with a database zone: a Prod DMZ in two data
// centres, a Dev DMZ and a DB zone, with a load balancer in front. It
// prints the network ACL of every zone the way the document's Table 1
// does, each zone's numbered rules with a comment, and a reachability
// matrix; all three are derived from the declared flows, not written by
// hand. It then checks the derived rules against what Table 1 says and
// exits with an error if they disagree, and applies the architecture, by
// default to the in-memory fake.
//
//	go run ./examples/dmz                    # on the fake: no account needed
//	go run ./examples/dmz -no-ssh            # no global SSH: admins need a bastion or a VPN
//	go run ./examples/dmz -plan              # the changes an apply would make
//	go run ./examples/dmz -blueprint         # the Blueprint, as JSON
//	go run -tags cloud ./examples/dmz -provider aws -profile prod -region eu-west-3 -image ami-0123abcd -plan
//
// OUTSCALE has no network ACLs: with -provider outscale the security
// groups alone enforce the same flows, and the tables below show what AWS
// would add. With -provider aws or outscale the example uses each SDK's
// usual credentials: AWS_PROFILE, AWS_REGION and ~/.aws for aws;
// OSC_ACCESS_KEY, OSC_SECRET_KEY, OSC_REGION and ~/.osc/config.json for
// outscale.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/deploy"
)

var noSSH = flag.Bool("no-ssh", false, "drop the document's SSH from anywhere (a finding the lint reports as a warning)")

func main() {
	deploy.Main(architecture, deploy.Subnets, withRules(table1), withRules(numberedRules), withRules(reachability),
		withRules(func(rules *netplan.Rules) deploy.Section { return table1Check(rules, *noSSH) }),
		deploy.Findings, deploy.Billable)
}

func architecture(t deploy.Target) (*pattern.Architecture, error) {
	return pattern.DMZ(pattern.DMZOptions{
		WebImage:          t.Image,
		DBImage:           t.Image,
		NoSSHFromAnywhere: *noSSH,
	}), nil
}

// withRules returns a section that derives the architecture's rules as on
// AWS, with its network ACLs, whatever the target (OUTSCALE has no network
// ACLs to show), and hands them to the section section makes.
func withRules(section func(*netplan.Rules) deploy.Section) deploy.Section {
	return func(w io.Writer, arch *pattern.Architecture, bp *blueprint.Blueprint) error {
		rules, err := aclRules(arch)
		if err != nil {
			return err
		}
		return section(rules)(w, arch, bp)
	}
}

// The tiers of the DMZ zones, as pattern.DMZ names them.
const (
	prodDMZ = "prod-dmz"
	devDMZ  = "dev-dmz"
	dbZone  = "db"
)

// services are the ports the document's network ACLs talk about.
var services = []struct {
	name string
	port uint16
}{{"SSH", 22}, {"HTTP", 80}, {"HTTPS", 443}, {"MySQL", 3306}}

// ephemeral is the document's ephemeral port range.
var ephemeral = netplan.Ports(1024, 65535)

// aclRules derives the rules of arch as on AWS, with its network ACLs.
func aclRules(arch *pattern.Architecture) (*netplan.Rules, error) {
	aws := *arch
	aws.Profile = netplan.AWS
	return aws.Rules()
}

// table1 is the document's Table 1: a row per kind of rule, a column per zone.
func table1(rules *netplan.Rules) deploy.Section {
	return func(w io.Writer, _ *pattern.Architecture, _ *blueprint.Blueprint) error {
		fmt.Fprint(w, "## Network ACLs of the zones (the DMZ document's Table 1)\n\n")
		_, err := io.WriteString(w, rules.MarkdownACLs())
		return err
	}
}

// reachability asks, for every source and every service of every zone,
// whether a connection can be opened: through the source's outbound rules,
// the network ACLs of both zones (return traffic included), the routes and
// the target's security group.
func reachability(rules *netplan.Rules) deploy.Section {
	return func(w io.Writer, _ *pattern.Architecture, _ *blueprint.Blueprint) error {
		sources := []netplan.Endpoint{netplan.Internet(), netplan.Tier(prodDMZ), netplan.Tier(devDMZ), netplan.Tier(dbZone)}
		fmt.Fprint(w, "## Who can open a connection to what (netplan's reachability analysis)\n\n")
		tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
		header := []string{"FROM \\ TO"}
		for _, to := range []string{prodDMZ, devDMZ, dbZone} {
			for _, s := range services {
				header = append(header, fmt.Sprintf("%s:%s", to, s.name))
			}
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, from := range sources {
			row := []string{from.String()}
			for _, to := range []string{prodDMZ, devDMZ, dbZone} {
				for _, s := range services {
					if from.Equal(netplan.Tier(to)) {
						row = append(row, "-") // inside a zone: no network ACL crossed
						continue
					}
					row = append(row, yesNo(canReach(rules, from, to, s.port).Allowed))
				}
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nWhy the internet cannot reach the database: %s\n", canReach(rules, netplan.Internet(), dbZone, 3306))
		fmt.Fprintf(w, "Why prod-dmz cannot SSH to dev-dmz: %s\n", canReach(rules, netplan.Tier(prodDMZ), devDMZ, 22))
		return nil
	}
}

func canReach(rules *netplan.Rules, from netplan.Endpoint, to string, port uint16) netplan.Verdict {
	return rules.CanReach(netplan.Query{From: from, To: to, Protocol: netplan.ProtocolTCP, Port: port})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// claim is one statement of the DMZ document's Table 1 and the text around it,
// turned into a connection that must, or must not, be possible.
type claim struct {
	says string
	from netplan.Endpoint
	to   string
	port uint16
	want bool
}

// table1Claims are Table 1's rows as reachability questions. Global SSH is
// dropped by -no-ssh.
func table1Claims(noSSH bool) []claim {
	var cs []claim
	for _, dmz := range []string{prodDMZ, devDMZ} {
		cs = append(cs,
			claim{"global incoming SSH", netplan.Internet(), dmz, 22, !noSSH},
			claim{"incoming global HTTP", netplan.Internet(), dmz, 80, true},
			claim{"incoming global HTTPS", netplan.Internet(), dmz, 443, true},
			claim{"no global incoming MySQL", netplan.Internet(), dmz, 3306, false},
			claim{"outgoing MySQL to the DB zone", netplan.Tier(dmz), dbZone, 3306, true},
			claim{"DB zone opens no connection, only replies", netplan.Tier(dbZone), dmz, 80, false},
		)
	}
	for _, s := range services {
		cs = append(cs, claim{"DB zone: nothing from the internet", netplan.Internet(), dbZone, s.port, false})
	}
	return cs
}

// table1Check compares the derived reachability with the DMZ document's Table 1, prints each
// claim and fails if one disagrees.
func table1Check(rules *netplan.Rules, noSSH bool) deploy.Section {
	return func(w io.Writer, _ *pattern.Architecture, _ *blueprint.Blueprint) error {
		fmt.Fprint(w, "## The derived rules against the DMZ document's Table 1\n\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TABLE 1 SAYS\tCONNECTION\tALLOWED BY TABLE 1\tDERIVED\tCHECK")
		var errs []error
		for _, c := range table1Claims(noSSH) {
			got := canReach(rules, c.from, c.to, c.port).Allowed
			verdict := "agrees"
			if got != c.want {
				verdict = "DISAGREES"
				errs = append(errs, fmt.Errorf("dmz: %s -> %s tcp/%d: Table 1 says %s (%s), the derived rules say %s", c.from, c.to, c.port, yesNo(c.want), c.says, yesNo(got)))
			}
			fmt.Fprintf(tw, "%s\t%s -> %s tcp/%d\t%s\t%s\t%s\n", c.says, c.from, c.to, c.port, yesNo(c.want), yesNo(got), verdict)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		return errors.Join(errs...)
	}
}
