// Package core wires Structura's backend together: data directory, logs,
// the single-instance lock, the SQLite store, the keychain and the services.
// main.go starts it for the window; headless commands can start it too, so
// there is one backend behind every front door.
package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"structura/backend/apperr"
	"structura/backend/auth"
	"structura/backend/clock"
	"structura/backend/connection"
	"structura/backend/events"
	"structura/backend/groupsync"
	"structura/backend/instance"
	"structura/backend/jobs"
	"structura/backend/logging"
	"structura/backend/paths"
	"structura/backend/pull"
	"structura/backend/sandbox"
	"structura/backend/secrets"
	"structura/backend/store"
	"structura/backend/structure"
	"structura/backend/twofa"
	"structura/backend/xpm"
)

// KeychainService is the service name of every Structura keychain item.
const KeychainService = "Structura"

// KeychainTimeout bounds every keychain call.
const KeychainTimeout = 10 * time.Second

// Config says where and how to start.
type Config struct {
	DataDir string // --data-dir; "" = env or OS default
	Version string
	Dev     bool // also log to stderr
}

// Backend is the running backend.
type Backend struct {
	Version   string
	Layout    paths.Layout
	Log       *logging.Logger
	Clock     clock.Clock
	Store     *store.Store
	Secrets   secrets.Store
	Structure *structure.Service
	// TwoFactor guards the XPM connection (issue 6).
	TwoFactor *twofa.Service
	// Connection is the XPM connection: settings, connect, test, disconnect.
	Connection *connection.Service
	// Sandbox is the built-in XPM sandbox, started for the sandbox
	// environment (the default).
	Sandbox *connection.SandboxHost
	// Events carries notifications to the UI; the app attaches the Wails
	// runtime to it when the window starts.
	Events *events.Bus
	// Jobs runs background work (discovery, bulk link, pull) that survives
	// a restart.
	Jobs *jobs.Runner
	// GroupSync is the Import Groups screen (issue 7).
	GroupSync *groupsync.Service
	// Pull brings linked XPM groups into Structura (issue 8).
	Pull *pull.Service

	lock *instance.Lock
}

// Start opens everything. On error, whatever was opened is closed again and
// the error is practitioner-facing.
func Start(ctx context.Context, cfg Config) (_ *Backend, err error) {
	layout, err := paths.Resolve(cfg.DataDir)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.CodeStorage, "Structura cannot use its data folder.",
			"Check that the folder exists and that you may write to it, or start Structura with --data-dir.")
	}
	lock, err := instance.Acquire(layout.Dir)
	if err != nil {
		if errors.Is(err, instance.ErrLocked) {
			return nil, apperr.Wrap(err, apperr.CodeConflict, "Structura is already open.",
				"Switch to the Structura window that is already open. Only one window can use the same data at a time.")
		}
		return nil, apperr.Wrap(err, apperr.CodeStorage, "Structura cannot lock its data folder.", "Check the folder's permissions: "+layout.Dir)
	}
	b := &Backend{Version: cfg.Version, Layout: layout, Clock: clock.Real{}, Events: &events.Bus{}, lock: lock}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	b.Log, err = logging.New(logging.Options{Dir: layout.LogDir, Stderr: cfg.Dev, Level: slog.LevelInfo})
	if err != nil {
		return nil, apperr.Wrap(err, apperr.CodeStorage, "Structura cannot write its log file.", "Check the permissions of "+layout.LogDir)
	}
	b.Log.Info("starting", "version", cfg.Version, "dataDir", layout.Dir)

	b.Store, err = store.Open(ctx, layout.Database, store.WithBackupDir(layout.Backups))
	if err != nil {
		return nil, err
	}
	b.Secrets = secrets.NewKeyring(KeychainService, KeychainTimeout)
	b.Structure = structure.New(b.Store, b.Secrets, b.Clock, b.Log.Logger)
	b.Structure.OnChange(func() { b.Events.Emit(events.StructureChanged, nil) })
	b.startConnection(ctx, cfg.Dev)
	b.startGroupSync()
	b.startPull()
	// Register every job kind before this: it resumes interrupted jobs.
	b.startJobs(ctx)
	b.resumePulls(ctx)
	return b, nil
}

// Close releases everything Start opened, in reverse order.
func (b *Backend) Close() error {
	var errs []error
	if b.Jobs != nil {
		errs = append(errs, b.Jobs.Close(10*time.Second)) // running jobs stop as interrupted, resumed next start
	}
	if b.Sandbox != nil {
		errs = append(errs, b.Sandbox.Close()) // saves the demo practice's data
	}
	if b.Store != nil {
		errs = append(errs, b.Store.Close())
	}
	if b.Log != nil {
		b.Log.Info("stopped")
		errs = append(errs, b.Log.Close())
	}
	errs = append(errs, b.lock.Release())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close backend: %w", err)
	}
	return nil
}

// SandboxStateFile is where the built-in sandbox keeps the demo practice's
// data between runs (never tokens).
const SandboxStateFile = "sandbox-state.json"

// startConnection wires two-factor protection, the XPM connection and the
// built-in sandbox, which starts now when it is the environment (the
// default), so the app opens on the demo practice.
func (b *Backend) startConnection(ctx context.Context, dev bool) {
	b.TwoFactor = twofa.New(twofa.Config{Store: b.Store, Secrets: b.Secrets, Clock: b.Clock, Logger: b.Log.Logger,
		Events: b.Events, AccountName: twofaAccountName()})
	b.Sandbox = &connection.SandboxHost{StatePath: filepath.Join(b.Layout.Dir, SandboxStateFile),
		// The sandbox's test-control endpoints (/_sandbox/) exist only in dev
		// builds, which the end-to-end tests drive.
		Options: sandbox.Options{Clock: b.Clock, Data: "demo", DisableAdmin: !dev}, Logger: b.Log.Logger}
	b.Connection = connection.New(connection.Config{Store: b.Store, Secrets: b.Secrets, Clock: b.Clock, Logger: b.Log.Logger,
		Events: b.Events, TwoFactor: b.TwoFactor, Browser: auth.SystemBrowser{}, Sandbox: b.Sandbox,
		OnConnected: b.discoverOnConnect})
	if st, err := b.Connection.Settings(ctx); err == nil && st.Environment == connection.EnvSandbox {
		if err := b.Sandbox.Start(); err != nil {
			// Not fatal: the settings screen and Connect report it.
			b.Log.Error("the built-in sandbox could not start", "err", err)
		} else {
			b.Connection.ResumeSandbox(ctx)
		}
	}
}

// twofaAccountName labels Structura's entry in the authenticator app.
func twofaAccountName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return "Structura on " + h
	}
	return "Structura"
}

// ---- background jobs and group sync (issue 7) ----

// startGroupSync creates the job runner and the Import Groups service, which
// registers its job kinds.
func (b *Backend) startGroupSync() {
	if b.Jobs == nil {
		b.Jobs = jobs.New(b.Store, b.Clock, b.Events, b.Log.Logger)
	}
	b.GroupSync = groupsync.New(b.Store, groupSyncXPM{b.Connection}, b.Jobs, b.Clock, b.Events, b.Log.Logger)
}

// discoverOnConnect lists the client groups of the practice just connected
// (issue 7: discovery on connect), as a background job.
func (b *Backend) discoverOnConnect(ctx context.Context, tenantID string) {
	if b.GroupSync == nil {
		return
	}
	if _, err := b.GroupSync.OnConnected(ctx, tenantID); err != nil {
		b.Log.Warn("could not start discovering the practice's groups", "err", err)
	}
}

// startJobs recovers the jobs the last run left unfinished (interrupted
// jobs of kinds that ask for it are resumed).
func (b *Backend) startJobs(ctx context.Context) {
	resumed, err := b.Jobs.Start(ctx)
	if err != nil {
		b.Log.Error("unfinished jobs could not be recovered", "err", err)
		return
	}
	for _, j := range resumed {
		b.Log.Info("resumed an interrupted job", "job", j.ID, "kind", j.Kind)
	}
}

// groupSyncXPM gives groupsync the XPM connection.
type groupSyncXPM struct{ c *connection.Service }

func (a groupSyncXPM) Client(ctx context.Context, write bool) (*xpm.Client, groupsync.Tenant, error) {
	st, err := a.c.Status(ctx)
	if err != nil {
		return nil, groupsync.Tenant{}, err
	}
	t := groupsync.Tenant{ID: st.TenantID, Name: st.TenantName}
	cl, err := a.c.Client(ctx, write)
	if err != nil {
		return nil, t, err
	}
	if t.ID == "" {
		t.ID = cl.TenantID()
	}
	return cl, t, nil
}

func (a groupSyncXPM) Status(ctx context.Context) groupsync.Status {
	st, err := a.c.Status(ctx)
	if err != nil {
		return groupsync.Status{State: groupsync.StateNotConnected}
	}
	out := groupsync.Status{Tenant: groupsync.Tenant{ID: st.TenantID, Name: st.TenantName}, State: groupsync.StateNotConnected}
	switch st.State {
	case connection.StateConnected:
		out.State = groupsync.StateConnected
	case connection.StateReconnectNeeded:
		out.State = groupsync.StateReconnect
	}
	if st.ConnectedAt != nil {
		out.ConnectedAt = *st.ConnectedAt
	}
	return out
}

// ---- pull (issue 8) ----

// startPull creates the pull service, which registers its job kinds on the
// runner (before startJobs).
func (b *Backend) startPull() {
	if b.Jobs == nil {
		b.Jobs = jobs.New(b.Store, b.Clock, b.Events, b.Log.Logger)
	}
	// A pull only reads XPM.
	x := pull.XPMFunc(func(ctx context.Context) (*xpm.Client, error) { return b.Connection.Client(ctx, false) })
	b.Pull = pull.New(b.Store, x, b.Jobs, b.Clock, b.Events, b.Log.Logger)
}

// resumePulls restarts the job of a pull that was being read or applied
// when the app stopped between two of its steps (after startJobs).
func (b *Backend) resumePulls(ctx context.Context) {
	if err := b.Pull.ResumeOpen(ctx); err != nil {
		b.Log.Error("an unfinished pull could not be resumed", "err", err)
	}
}
