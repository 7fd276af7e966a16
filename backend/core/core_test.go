package core

import (
	"context"
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
