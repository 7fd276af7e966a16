package auth

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/pkg/browser"
)

// Browser opens a URL for the user. Production opens the system browser;
// tests use an HTTP client that acts like one (backend/auth/authtest).
type Browser interface {
	Open(ctx context.Context, url string) error
}

// EnvOpenURLCmd names a program that opens URLs instead of the system
// browser: it is run with the URL as its single argument. The E2E harness
// sets it to a script that hands the URL to Playwright.
const EnvOpenURLCmd = "STRUCTURA_OPEN_URL_CMD"

// SystemBrowser opens URLs in the default browser, or with the program
// named by $STRUCTURA_OPEN_URL_CMD.
type SystemBrowser struct{}

// Open opens url.
func (SystemBrowser) Open(ctx context.Context, url string) error {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return fmt.Errorf("refusing to open %q: not an http(s) URL", url)
	}
	if cmd := strings.TrimSpace(os.Getenv(EnvOpenURLCmd)); cmd != "" {
		c := exec.Command(cmd, url) // not tied to ctx: the program may outlive the call
		c.Stdout, c.Stderr = io.Discard, io.Discard
		if err := c.Start(); err != nil {
			return fmt.Errorf("run %s: %w", EnvOpenURLCmd, err)
		}
		go func() { _ = c.Wait() }()
		return nil
	}
	browser.Stdout, browser.Stderr = io.Discard, io.Discard
	return browser.OpenURL(url)
}
