package connection

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"

	"structura/backend/auth"
	"structura/backend/sandbox"
)

// SandboxHost runs the built-in sandbox in-process on a loopback port for
// the sandbox environment. The demo practice's data is loaded from and
// saved to StatePath, so the user's changes survive restarts; the
// sandbox's identity state (grants, tokens) is never written anywhere.
type SandboxHost struct {
	// StatePath is the JSON file of the practices' data ("" = not kept).
	StatePath string
	// Options are passed to sandbox.New (Data defaults to "demo").
	Options sandbox.Options
	// Logger receives start/stop lines.
	Logger *slog.Logger

	mu        sync.Mutex
	srv       *sandbox.Server
	redirects []string
}

// Start starts the sandbox if it is not running.
func (h *SandboxHost) Start() error {
	_, err := h.start()
	return err
}

func (h *SandboxHost) start() (*sandbox.Server, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.srv != nil {
		return h.srv, nil
	}
	opts := h.Options
	if opts.Data == "" {
		opts.Data = "demo"
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		return nil, err
	}
	if h.StatePath != "" {
		switch err := srv.LoadFile(h.StatePath); {
		case err == nil:
		case errors.Is(err, fs.ErrNotExist):
		default:
			// A damaged state file: start from the demo data, keep the file
			// aside for support, and say so in the log.
			bad := h.StatePath + ".damaged"
			_ = os.Rename(h.StatePath, bad)
			h.log().Warn("sandbox state could not be read; starting from the demo data", "err", err, "keptAs", bad)
		}
	}
	uris := append(append([]string(nil), sandbox.DefaultRedirectURIs...), h.redirects...)
	if err := srv.RegisterApp(sandbox.App{ClientID: sandbox.DefaultClientID, Name: "Structura (sandbox)", RedirectURIs: uris}); err != nil {
		return nil, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	h.srv = srv
	h.log().Info("sandbox started", "url", srv.URL())
	return srv, nil
}

func (h *SandboxHost) log() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

// BaseURL returns the sandbox's URL, starting it if needed.
func (h *SandboxHost) BaseURL(context.Context) (string, error) {
	srv, err := h.start()
	if err != nil {
		return "", err
	}
	return srv.URL(), nil
}

// Server returns the running sandbox (nil before Start).
func (h *SandboxHost) Server() *sandbox.Server {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.srv
}

// ClientID is the built-in public app.
func (h *SandboxHost) ClientID() string { return sandbox.DefaultClientID }

// RegisterRedirectURI adds uri to the built-in app's redirect URIs (the
// callback port is a setting).
func (h *SandboxHost) RegisterRedirectURI(uri string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, u := range h.redirects {
		if u == uri {
			return nil
		}
	}
	h.redirects = append(h.redirects, uri)
	if h.srv == nil {
		return nil
	}
	uris := append(append([]string(nil), sandbox.DefaultRedirectURIs...), h.redirects...)
	return h.srv.RegisterApp(sandbox.App{ClientID: sandbox.DefaultClientID, Name: "Structura (sandbox)", RedirectURIs: uris})
}

// Save writes the practices' data to StatePath.
func (h *SandboxHost) Save() error {
	h.mu.Lock()
	srv := h.srv
	h.mu.Unlock()
	if srv == nil || h.StatePath == "" {
		return nil
	}
	if err := srv.SaveFile(h.StatePath); err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	return nil
}

// Close saves the state and stops the sandbox.
func (h *SandboxHost) Close() error {
	err := h.Save()
	h.mu.Lock()
	srv := h.srv
	h.srv = nil
	h.mu.Unlock()
	if srv != nil {
		err = errors.Join(err, srv.Close())
	}
	return err
}

// Endpoints returns the running sandbox's endpoints.
func (h *SandboxHost) Endpoints(ctx context.Context) (auth.Endpoints, error) {
	u, err := h.BaseURL(ctx)
	if err != nil {
		return auth.Endpoints{}, err
	}
	return auth.SandboxEndpoints(u), nil
}

// Regrant issues a new grant of the built-in app to the sandbox user with
// this email, as if they had allowed access again, and returns its tokens.
// The sandbox keeps grants only in memory, so after a restart of Structura
// the saved refresh token is unknown to it; see Service.ResumeSandbox.
func (h *SandboxHost) Regrant(ctx context.Context, email, scopes string) (auth.Token, string, error) {
	srv, err := h.start()
	if err != nil {
		return auth.Token{}, "", err
	}
	ts, err := srv.MintToken(email, sandbox.DefaultClientID, scopes)
	if err != nil {
		return auth.Token{}, "", err
	}
	return auth.Token{AccessToken: ts.AccessToken, RefreshToken: ts.RefreshToken, Scopes: ts.Scope}, ts.IDToken, nil
}
