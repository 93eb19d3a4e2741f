//go:build cloud

package main

// Built with -tags cloud, the program can deploy to AWS and OUTSCALE
// (-provider aws, -provider outscale); without it, it compiles the fake
// only, and starts in a fraction of the time.
import (
	_ "github.com/archkit/archkit/provider/deploy/awsdeploy"
	_ "github.com/archkit/archkit/provider/deploy/oscdeploy"
)
