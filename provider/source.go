package provider

import (
	"fmt"
	"net/netip"
	"reflect"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Source is what the engine plans: a [*blueprint.Blueprint] as it is, or an
// architecture that the engine builds around what is deployed (a
// *pattern.Architecture, or any planner of your own).
//
// The engine lists the deployment by its tags once, hands what it found
// to BuildAround ([blueprint.Existing]: the deployed Nets and subnets by
// logical id) and plans the Blueprint it gets back against that same
// listing. A *pattern.Architecture pins the deployed subnets, so that
// adding or removing tiers or zones never moves a deployed subnet
// (pattern.Architecture.BuildAround); a Blueprint returns itself.
type Source interface {
	// DeploymentName returns the deployment whose resources the engine
	// lists and tags.
	DeploymentName() string
	// BuildAround returns the Blueprint to apply, given what is deployed.
	BuildAround(existing blueprint.Existing) (*blueprint.Blueprint, error)
}

// deploymentOf returns the deployment src names, or an error for a nil
// source or a name blueprint.CheckDeployment refuses (empty, a wildcard of
// the clouds' tag filters, too long): before any call.
func deploymentOf(src Source) (string, error) {
	if src == nil || reflect.ValueOf(src).Kind() == reflect.Pointer && reflect.ValueOf(src).IsNil() {
		return "", fmt.Errorf("provider: nil source; pass a Blueprint or an architecture")
	}
	dep := src.DeploymentName()
	if err := checkDeployment(dep); err != nil {
		return "", err
	}
	return dep, nil
}

// existingOf returns what a planner needs of obs: the ranges of the
// Nets and subnets that carry a logical id. Of several resources with one
// logical id (a replace interrupted half-way), the first in
// [driver.CompareObserved] order counts.
func existingOf(obs map[blueprint.Kind][]driver.Observed) blueprint.Existing {
	ex := blueprint.Existing{Nets: map[string]netip.Prefix{}, Subnets: map[string]netip.Prefix{}}
	for _, o := range obs[blueprint.KindNet] {
		if _, seen := ex.Nets[o.LogicalID]; o.LogicalID != "" && !seen && o.Resource.Net != nil {
			ex.Nets[o.LogicalID] = o.Resource.Net.CIDR
		}
	}
	for _, o := range obs[blueprint.KindSubnet] {
		if _, seen := ex.Subnets[o.LogicalID]; o.LogicalID != "" && !seen && o.Resource.Subnet != nil {
			ex.Subnets[o.LogicalID] = o.Resource.Subnet.CIDR
		}
	}
	return ex
}
