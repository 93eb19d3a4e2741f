package blueprint

import (
	"fmt"
	"net/netip"
)

// Existing is what the engine found deployed, for a planner that plans
// around it ([Source.BuildAround] in package provider): the ranges of the
// deployed Nets and subnets, by logical id. Its zero value is a deployment
// with nothing in it.
//
// For a deployment with subnets web/a and web/b in a Net 10.0.0.0/16:
//
//	Existing{
//		Nets:    map[string]netip.Prefix{"net/main": 10.0.0.0/16},
//		Subnets: map[string]netip.Prefix{"subnet/web/a": 10.0.0.0/24, "subnet/web/b": 10.0.1.0/24},
//	}
type Existing struct {
	// Nets maps a Net's logical id ("net/main") to its range.
	Nets map[string]netip.Prefix `json:"nets,omitempty"`
	// Subnets maps a subnet's logical id ("subnet/web/a") to its range.
	Subnets map[string]netip.Prefix `json:"subnets,omitempty"`
}

// DeploymentName returns bp.Deployment: a Blueprint names its deployment
// itself.
func (bp *Blueprint) DeploymentName() string {
	if bp == nil {
		return ""
	}
	return bp.Deployment
}

// BuildAround returns bp itself: a Blueprint is already planned, and what
// exists changes nothing in it. It lets the engine take a Blueprint
// wherever it takes an architecture to plan around what is deployed.
func (bp *Blueprint) BuildAround(Existing) (*Blueprint, error) {
	if bp == nil {
		return nil, fmt.Errorf("blueprint: nil blueprint; build one with pattern's Build or decode one from JSON")
	}
	return bp, nil
}
