// Command zones builds seed 002's architecture: a Prod DMZ in two data
// centres, a Dev DMZ and a DB zone, with load balancers in front. It prints
// the stateless firewall of every zone the way the seed's Table 1 does
// (derived from the declared flows, not written by hand), each zone's
// numbered rules, and a reachability matrix computed from the security
// groups, firewalls and routes together; then it applies the architecture,
// by default to the in-memory fake.
//
//	go run ./examples/zones                    # on the fake: no account needed
//	go run ./examples/zones -no-ssh            # no global SSH: admins need a bastion or a VPN
//	go run ./examples/zones -json              # the Blueprint, as JSON
//	go run ./examples/zones -provider aws -profile prod -region eu-west-3 -image ami-0123abcd -plan
//
// OUTSCALE has no stateless firewall: with -provider outscale the security
// groups alone enforce the same flows, and the tables below show what AWS
// would add. Credentials: see examples/threetier.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/archkit/archkit/examples/internal/cli"
	"github.com/archkit/archkit/examples/internal/show"
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
)

func main() {
	image := flag.String("image", "ami-12c6146b", "the image (AMI or OMI) of every node; set one of your account before applying to a cloud")
	noSSH := flag.Bool("no-ssh", false, "drop the seed's SSH from anywhere (a finding the lint reports as a warning)")
	flags := cli.Register(nil)
	flag.Parse()
	log.SetFlags(0)
	if err := flags.Validate(); err != nil {
		log.Fatal(err)
	}

	arch := pattern.Zones(pattern.ZonesOptions{
		Profile:           flags.NetProfile(),
		WebImage:          *image,
		DBImage:           *image,
		NoSSHFromAnywhere: *noSSH,
	})
	// The firewall tables come from the rules as AWS derives them, whatever
	// the target: OUTSCALE has no stateless firewall to show.
	rules, err := firewallRules(arch)
	if err != nil {
		log.Fatal(err)
	}
	if err := cli.Execute(context.Background(), os.Stdout, flags, arch,
		show.Subnets, table1(rules), numberedRules(rules), reachability(rules), show.Findings, show.Billable); err != nil {
		log.Fatal(err)
	}
}

// firewallRules derives the rules of arch as on AWS, with its network ACLs.
func firewallRules(arch *pattern.Architecture) (*netplan.Rules, error) {
	aws := *arch
	aws.Profile = netplan.AWS
	return aws.Rules()
}

// table1 is the seed's Table 1: a row per kind of rule, a column per zone.
func table1(rules *netplan.Rules) show.Section {
	return func(w io.Writer, _ *pattern.Architecture, _ *pattern.Blueprint) error {
		fmt.Fprint(w, "## Firewalls of the zones (seed 002, Table 1)\n\n")
		_, err := io.WriteString(w, rules.MarkdownACLs())
		return err
	}
}

// numberedRules lists every zone's firewall entries in evaluation order.
func numberedRules(rules *netplan.Rules) show.Section {
	return func(w io.Writer, _ *pattern.Architecture, _ *pattern.Blueprint) error {
		fmt.Fprint(w, "## Firewall entries, in evaluation order\n\n")
		_, err := io.WriteString(w, rules.MarkdownACLEntries())
		return err
	}
}

// service is a column of the reachability matrix.
type service struct {
	tier string
	name string
	port uint16
}

// reachability asks, for every source and every service of every zone,
// whether a connection can be opened: through the source's outbound rules,
// the firewalls of both zones (return traffic included) and the target's
// security group.
func reachability(rules *netplan.Rules) show.Section {
	return func(w io.Writer, _ *pattern.Architecture, _ *pattern.Blueprint) error {
		sources := []netplan.Endpoint{netplan.Internet(), netplan.Tier("prod-dmz"), netplan.Tier("dev-dmz"), netplan.Tier("db")}
		var services []service
		for _, tier := range []string{"prod-dmz", "dev-dmz", "db"} {
			for _, s := range []struct {
				name string
				port uint16
			}{{"SSH", 22}, {"HTTP", 80}, {"HTTPS", 443}, {"MySQL", 3306}} {
				services = append(services, service{tier, s.name, s.port})
			}
		}
		fmt.Fprint(w, "## Who can open a connection to what\n\n")
		tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
		header := []string{"FROM \\ TO"}
		for _, s := range services {
			header = append(header, fmt.Sprintf("%s:%s", s.tier, s.name))
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, from := range sources {
			row := []string{from.String()}
			for _, s := range services {
				if from.Kind == netplan.EndpointTier && from.Name == s.tier {
					row = append(row, "-")
					continue
				}
				v := rules.CanReach(netplan.Query{From: from, To: s.tier, Protocol: netplan.ProtocolTCP, Port: s.port})
				row = append(row, map[bool]string{true: "yes", false: "no"}[v.Allowed])
			}
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		v := rules.CanReach(netplan.Query{From: netplan.Internet(), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306})
		fmt.Fprintf(w, "\nWhy the internet cannot reach the database: %s\n", v)
		return nil
	}
}
