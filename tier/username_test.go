package tier_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/tier"
)

func TestCheckUsername(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		engine tier.Engine
		name   string
		ok     bool
	}{
		{tier.EnginePostgres, tier.DefaultUsername, true},
		{tier.EngineMySQL, tier.DefaultUsername, true},
		{tier.EnginePostgres, "admin", false}, // the case: RDS for PostgreSQL refuses it
		{tier.EnginePostgres, "ADMIN", false},
		{tier.EngineMySQL, "admin", true},
		{tier.EngineMySQL, "rdsadmin", false},
		{tier.EnginePostgres, "rdsadmin", false},
		{tier.EnginePostgres, "pg_owner", false},
		{tier.EnginePostgres, "user", false},
		{tier.EngineMySQL, "select", false},
		{tier.EngineMySQL, "postgres", true},
		{tier.EnginePostgres, "postgres", true},
		{tier.EnginePostgres, "", false},
		{tier.EnginePostgres, "1admin", false},
		{tier.EnginePostgres, "app-user", false},
		{tier.EnginePostgres, strings.Repeat("a", 16), true},
		{tier.EnginePostgres, strings.Repeat("a", 17), false},
	} {
		err := tc.engine.CheckUsername(tc.name)
		assert.Equal(t, tc.ok, err == nil, "%s %q: %v", tc.engine, tc.name, err)
	}
}

func TestNewDatabaseValidOnBothEngines(t *testing.T) {
	t.Parallel()
	for _, e := range []tier.Engine{tier.EngineMySQL, tier.EnginePostgres} {
		assert.NoError(t, tier.NewDatabase("db", e, "db.t3.micro").Validate(), e)
	}
}

func TestCheckInstanceClass(t *testing.T) {
	t.Parallel()
	for class, ok := range map[string]bool{
		"db.t3.micro": true, "db.r6g.2xlarge": true, "db.m5d.large": true,
		"t3.micro": false, "db.t3": false, "db..micro": false, "db.T3.micro": false, "": false,
	} {
		assert.Equal(t, ok, tier.CheckInstanceClass(class) == nil, class)
	}
}
