package blueprint

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// cronField is one field of an AWS Backup cron expression: its name, its
// bounds and the names it takes for numbers.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
	question bool     // "?" allowed (the two day fields)
}

var cronFields = []cronField{
	{name: "minutes", max: 59},
	{name: "hours", max: 23},
	{name: "day of month", min: 1, max: 31, question: true},
	{name: "month", min: 1, max: 12, names: strings.Fields("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")},
	{name: "day of week", min: 1, max: 7, names: strings.Fields("SUN MON TUE WED THU FRI SAT"), question: true},
	{name: "year", min: 1970, max: 2199},
}

// CheckBackupCron checks an AWS Backup schedule expression: "cron(" six
// fields ")" (minutes, hours, day of month, month, day of week, year, the
// EventBridge cron grammar AWS Backup takes), each a "*", a value, a range
// a-b, a step x/n, or a list of those; exactly one of the two day fields
// is "?"; day fields may also use L, W and # as EventBridge does. It
// returns nil or an error that says what is wrong.
func CheckBackupCron(expr string) error {
	body, opened := strings.CutPrefix(expr, "cron(")
	body, closed := strings.CutSuffix(body, ")")
	if !opened || !closed {
		return errors.New(`not "cron(...)"`)
	}
	fs := strings.Fields(body)
	if len(fs) != len(cronFields) {
		return fmt.Errorf("%d fields, AWS Backup takes 6 (minutes hours day-of-month month day-of-week year)", len(fs))
	}
	for i, f := range fs {
		if err := cronFields[i].check(f); err != nil {
			return fmt.Errorf("%s %q: %w", cronFields[i].name, f, err)
		}
	}
	if (fs[2] == "?") == (fs[4] == "?") {
		return errors.New(`give "?" in exactly one of day of month and day of week`)
	}
	return nil
}

func (c cronField) check(f string) error {
	if f == "?" {
		if !c.question {
			return errors.New(`"?" is for the day fields only`)
		}
		return nil
	}
	for item := range strings.SplitSeq(f, ",") {
		if err := c.item(item); err != nil {
			return err
		}
	}
	return nil
}

func (c cronField) item(item string) error {
	base, step, stepped := strings.Cut(item, "/")
	if stepped {
		if n, err := strconv.Atoi(step); err != nil || n < 1 {
			return fmt.Errorf("step %q is not a positive number", step)
		}
	}
	if base == "*" {
		return nil
	}
	if c.question { // the day fields' special forms
		if base == "L" || strings.HasSuffix(base, "W") || strings.HasSuffix(base, "L") || strings.Contains(base, "#") {
			return nil
		}
	}
	lo, hi, ranged := strings.Cut(base, "-")
	if err := c.value(lo); err != nil {
		return err
	}
	if ranged {
		return c.value(hi)
	}
	return nil
}

func (c cronField) value(v string) error {
	if slices.ContainsFunc(c.names, func(n string) bool { return strings.EqualFold(v, n) }) {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < c.min || n > c.max {
		return fmt.Errorf("%q is not a value from %d to %d", v, c.min, c.max)
	}
	return nil
}
