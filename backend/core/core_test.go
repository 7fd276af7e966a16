package core

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/zalando/go-keyring"

	"structura/backend/apperr"
	"structura/backend/connection"
)

// TestStartStopKeepsDataAndRefusesASecondInstance starts the whole backend
// the way the window does (sandbox environment by default), writes through
// the structure service, restarts, and finds the data again; a second start
// on the same folder while the first runs is refused with a clear message.
func TestStartStopKeepsDataAndRefusesASecondInstance(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	dir := t.TempDir()

	b, err := Start(ctx, Config{DataDir: dir, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Sandbox == nil || b.Sandbox.Server() == nil {
		t.Fatal("the built-in sandbox did not start in the default environment")
	}
	// A production backend does not serve the sandbox's test-control API.
	if resp, err := http.Get(b.Sandbox.Server().URL() + "/_sandbox/health"); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("control API answered %d outside a dev build", resp.StatusCode)
	}
	st, err := b.Connection.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != connection.StateNotConnected || !st.Sandbox {
		t.Fatalf("fresh status %+v", st)
	}
	g, err := b.Structure.CreateGroup(ctx, "Nguyen Family Group", "")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := Start(ctx, Config{DataDir: dir}); apperr.CodeOf(err) != apperr.CodeConflict {
		t.Fatalf("second instance: got %v, want a conflict", err)
	} else if e, _ := apperr.As(err); e.Message != "Structura is already open." {
		t.Fatalf("second instance message: %q", e.Message)
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"structura.db", SandboxStateFile, filepath.Join("logs", "structura.log")} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s missing after close: %v", name, err)
		}
	}

	b2, err := Start(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	d, err := b2.Structure.GetGroup(ctx, g.ID)
	if err != nil || d.Name != "Nguyen Family Group" {
		t.Fatalf("after restart: %+v, %v", d, err)
	}
}

// A dev build (the one the end-to-end tests drive) serves the sandbox's
// control API.
func TestDevBuildServesSandboxControlAPI(t *testing.T) {
	keyring.MockInit()
	b, err := Start(context.Background(), Config{DataDir: t.TempDir(), Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	resp, err := http.Get(b.Sandbox.Server().URL() + "/_sandbox/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("control API in a dev build: %d", resp.StatusCode)
	}
}
