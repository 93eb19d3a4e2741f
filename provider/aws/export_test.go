package aws

import (
	"context"
	"net/netip"

	"github.com/archkit/archkit/provider/driver"
)

func netipMust(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// ListEscaped is List without its check of the name: the describe call
// with the escaped tag filter, before the exact comparison.
func ListEscaped(ctx context.Context, d *Driver, q driver.Query) ([]driver.Observed, error) {
	return kinds[q.Kind].list(d, ctx, q)
}

// ErrorCode is errorCode: the driver's code of an error of the SDK.
func ErrorCode(err error) driver.Code { return errorCode(err) }
