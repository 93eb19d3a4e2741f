package tier

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DefaultUsername is the master user name of [NewDatabase]: valid on RDS
// for both engines (1 to 16 letters, digits or underscores, starting with
// a letter, and a reserved word of neither engine).
const DefaultUsername = "archkit_admin"

// MaxUsername is the longest master user name RDS takes: "Must be 1 to 16
// letters, numbers, or underscores" (RDS API reference, CreateDBInstance,
// MasterUsername).
const MaxUsername = 16

// CheckUsername reports why RDS would refuse name as the master user name
// of a database of engine e, or nil. The rules and where they come from:
//
//   - 1 to 16 letters, digits or underscores, the first a letter (RDS API
//     reference, CreateDBInstance, MasterUsername: "Must be 1 to 16
//     letters, numbers, or underscores. First character must be a letter.
//     Can't be a reserved word for the chosen database engine.");
//   - rdsadmin is reserved by RDS on every engine;
//   - PostgreSQL: admin ("MasterUsername admin cannot be used as it is a
//     reserved word used by the engine", the error RDS returns), names
//     starting with pg_ ("role names starting with "pg_" are reserved by
//     the PostgreSQL engine"), and PostgreSQL's reserved key words
//     (PostgreSQL documentation, Appendix C, SQL Key Words, the words
//     marked reserved);
//   - MySQL: MySQL 8.0's reserved words (MySQL Reference Manual, Keywords
//     and Reserved Words, the words marked (R)), to which RDS's user guide
//     sends for MySQL.
//
// Words compare without regard to case. For example
// EnginePostgres.CheckUsername("admin") fails and
// EngineMySQL.CheckUsername("admin") does not.
func (e Engine) CheckUsername(name string) error {
	switch {
	case name == "":
		return errors.New("empty master user name")
	case len(name) > MaxUsername:
		return fmt.Errorf("%d characters, more than the %d RDS takes", len(name), MaxUsername)
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		switch {
		case i == 0 && !letter:
			return errors.New("must start with a letter")
		case !letter && !(r >= '0' && r <= '9') && r != '_':
			return fmt.Errorf("character %q not allowed: use letters, digits and '_'", r)
		}
	}
	lower := strings.ToLower(name)
	switch {
	case lower == "rdsadmin":
		return errors.New("reserved by RDS")
	case e == EnginePostgres && (lower == "admin" || slices.Contains(postgresReserved, lower)):
		return errors.New("a reserved word of PostgreSQL")
	case e == EnginePostgres && strings.HasPrefix(lower, "pg_"):
		return errors.New("PostgreSQL reserves role names starting with pg_")
	case e == EngineMySQL && slices.Contains(mysqlReserved, lower):
		return errors.New("a reserved word of MySQL")
	}
	return nil
}

// postgresReserved are the key words PostgreSQL marks reserved, and
// reserved that can be function or type names (Appendix C).
var postgresReserved = strings.Fields(`all analyse analyze and any array as asc asymmetric
authorization binary both case cast check collate collation column concurrently constraint create
cross current_catalog current_date current_role current_schema current_time current_timestamp
current_user default deferrable desc distinct do else end except false fetch for foreign freeze
from full grant group having ilike in initially inner intersect into is isnull join lateral leading
left like limit localtime localtimestamp natural not notnull null offset on only or order outer
overlaps placing primary references returning right select session_user similar some symmetric
system_user table tablesample then to trailing true union unique user using variadic verbose when
where window with`)

// mysqlReserved are MySQL 8.0's reserved words.
var mysqlReserved = strings.Fields(`accessible add all alter analyze and as asc asensitive before
between bigint binary blob both by call cascade case change char character check collate column
condition constraint continue convert create cross cube cume_dist current_date current_time
current_timestamp current_user cursor database databases day_hour day_microsecond day_minute
day_second dec decimal declare default delayed delete dense_rank desc describe deterministic
distinct distinctrow div double drop dual each else elseif empty enclosed escaped except exists
exit explain false fetch first_value float float4 float8 for force foreign from fulltext function
generated get grant group grouping groups having high_priority hour_microsecond hour_minute
hour_second if ignore in index infile inner inout insensitive insert int int1 int2 int3 int4 int8
integer intersect interval into io_after_gtids io_before_gtids is iterate join json_table key keys
kill lag last_value lateral lead leading leave left like limit linear lines load localtime
localtimestamp lock long longblob longtext loop low_priority master_bind
master_ssl_verify_server_cert match maxvalue mediumblob mediumint mediumtext middleint
minute_microsecond minute_second mod modifies natural not no_write_to_binlog nth_value ntile null
numeric of on optimize optimizer_costs option optionally or order out outer outfile over partition
percent_rank precision primary procedure purge range rank read reads read_write real recursive
references regexp release rename repeat replace require resignal restrict return revoke right
rlike row rows row_number schema schemas second_microsecond select sensitive separator set show
signal smallint spatial specific sql sqlexception sqlstate sqlwarning sql_big_result
sql_calc_found_rows sql_small_result ssl starting stored straight_join system table terminated then
tinyblob tinyint tinytext to trailing trigger true undo union unique unlock unsigned update usage
use using utc_date utc_time utc_timestamp values varbinary varchar varcharacter varying virtual
when where while window with write xor year_month zerofill`)
