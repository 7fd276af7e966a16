package main

import (
	"context"
	"errors"
	"io"
)

func runSandbox(ctx context.Context, args []string, stdout io.Writer) error {
	return errors.New("the sandbox command is not built yet")
}
