package main

import (
	"context"
	"io"

	"structura/backend/sandbox"
)

// runSandbox is `structura sandbox`: the built-in XPM sandbox on its own.
func runSandbox(ctx context.Context, args []string, stdout io.Writer) error {
	return sandbox.RunCLI(ctx, args, stdout)
}
