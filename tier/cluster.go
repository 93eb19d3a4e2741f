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
// stateful ones (a Percona database cluster, a RabbitMQ cluster, seed 001)
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
}

// NewCluster returns a stateless cluster of two to four nodes (two
// desired, one per zone of a two-zone Net) of instanceType from image.
func NewCluster(tierName, image, instanceType string) Cluster {
	return Cluster{Tier: tierName, Image: image, InstanceType: instanceType, Min: 2, Desired: 2, Max: 4, Stateless: true}
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
	return errors.Join(errs...)
}
