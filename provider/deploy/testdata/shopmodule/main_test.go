package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/pattern/patterntest"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/fake"
)

var onFake = deploy.Target{Provider: deploy.Fake, Profile: netplan.AWS, Image: deploy.DefaultImage}

func TestShopBlueprint(t *testing.T) {
	bp, err := onFake.Build(shop)
	require.NoError(t, err)
	patterntest.ResourceCount(t, bp, blueprint.KindSubnet, nil, 8)
	assert.Empty(t, bp.Findings, "no lint finding: the NAT gateways carry the api's calls out")
	patterntest.HasResource(t, bp, blueprint.KindDatabase, patterntest.Props{"engine": "postgres", "port": 5432})
	patterntest.HasResource(t, bp, blueprint.KindSecurityGroupRules, patterntest.Props{
		"group":   "security_group/cache",
		"inbound": patterntest.ArrayWith(patterntest.Props{"from_port": 6379, "group": "security_group/api"}),
	})
}

func TestShopOnTheFake(t *testing.T) {
	bp, err := onFake.Build(shop)
	require.NoError(t, err)
	d := fake.New()
	eng := provider.NewEngine(d) // no options: the fake is local
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	fake.AssertAllows(t, d, "security_group/api", "security_group/db", "tcp", 5432)
	fake.AssertDenies(t, d, "security_group/front", "security_group/db", "tcp", 5432)

	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes, "a second deploy writes nothing")
}

func TestShopCommand(t *testing.T) {
	cmd := &deploy.Command{Architecture: shop, Driver: fake.New(), Stdout: io.Discard, Stderr: io.Discard}
	assert.Equal(t, deploy.ExitChanges, cmd.Run(t.Context(), []string{"-plan"}))
	assert.Equal(t, deploy.ExitOK, cmd.Run(t.Context(), []string{"-cleanup=false"}))
	assert.Equal(t, deploy.ExitOK, cmd.Run(t.Context(), []string{"-plan"}))
}
