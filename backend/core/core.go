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
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/events"
	"structura/backend/instance"
	"structura/backend/logging"
	"structura/backend/paths"
	"structura/backend/secrets"
	"structura/backend/store"
	"structura/backend/structure"
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
	// Events carries notifications to the UI; the app attaches the Wails
	// runtime to it when the window starts.
	Events *events.Bus

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
	return b, nil
}

// Close releases everything Start opened, in reverse order.
func (b *Backend) Close() error {
	var errs []error
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
