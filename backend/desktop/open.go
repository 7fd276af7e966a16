// Package desktop holds small OS integrations that Wails does not offer.
package desktop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// OpenFolder shows dir in the OS file manager (Explorer, Finder, or the
// desktop's default on Linux).
func OpenFolder(ctx context.Context, dir string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("folder %s: %w", dir, err)
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.CommandContext(ctx, "explorer", dir)
	case "darwin":
		cmd = exec.CommandContext(ctx, "open", dir)
	default:
		cmd = exec.CommandContext(ctx, "xdg-open", dir)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
