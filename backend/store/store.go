// Package store keeps Structura's data in one SQLite file (modernc.org/sqlite,
// no cgo): WAL journal, foreign keys on, one writer connection and a pool of
// read-only connections, schema migrations embedded and versioned with
// PRAGMA user_version, and a backup copy taken before any migration of an
// existing database.
//
// The store knows SQL, not rules: the structure service validates and calls
// the typed methods of Tx inside WithTx, so every multi-row change is one
// transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"structura/backend/apperr"
	"structura/backend/clock"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

var migrations = mustLoadMigrations()

// SchemaVersion is the schema version this build writes.
var SchemaVersion = migrations[len(migrations)-1].version

func mustLoadMigrations() []migration {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		panic(err)
	}
	return ms
}

// loadMigrations reads migrations/NNNN_name.sql; versions must run 1, 2, 3…
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for i, n := range names {
		base := filepath.Base(n)
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", base, i+1)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(rest, ".sql"), sql: string(b)})
	}
	if len(out) == 0 {
		return nil, errors.New("no migrations")
	}
	return out, nil
}

// Store is an open database.
type Store struct {
	path      string
	w         *sql.DB // exactly one connection: the one writer
	r         *sql.DB // read-only pool
	backupDir string
	clk       clock.Clock
	lastBak   string
}

// Option configures Open.
type Option func(*options)

type options struct {
	backupDir     string
	clk           clock.Clock
	targetVersion int // 0 = latest; tests build old databases with it
	readers       int
}

// WithBackupDir sets where pre-migration backups go (default: a "backups"
// folder next to the database file).
func WithBackupDir(dir string) Option { return func(o *options) { o.backupDir = dir } }

// WithClock sets the clock used to name backups.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clk = c } }

// withTargetVersion stops migrating at version v (tests only).
func withTargetVersion(v int) Option { return func(o *options) { o.targetVersion = v } }

const busyTimeoutMS = 10000

// Open opens (creating if needed) the database at path, backs it up if it
// needs migrating, and migrates it to SchemaVersion.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{clk: clock.Real{}, readers: 4}
	for _, f := range opts {
		f(&o)
	}
	if o.targetVersion == 0 {
		o.targetVersion = SchemaVersion
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, apperr.New(apperr.CodeStorage,
			"Structura cannot use this database location: "+path,
			"Choose a data folder whose path has no '?' or '#' characters.")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, openErr(path, err)
	}
	if o.backupDir == "" {
		o.backupDir = filepath.Join(filepath.Dir(abs), "backups")
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, openErr(abs, err)
	}

	w, err := sql.Open("sqlite", abs+"?_txlock=immediate"+
		fmt.Sprintf("&_pragma=busy_timeout(%d)", busyTimeoutMS)+
		"&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return nil, openErr(abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	s := &Store{path: abs, w: w, backupDir: o.backupDir, clk: o.clk}
	if err := s.migrate(ctx, o.targetVersion); err != nil {
		w.Close()
		return nil, err
	}

	r, err := sql.Open("sqlite", abs+
		fmt.Sprintf("?_pragma=busy_timeout(%d)", busyTimeoutMS)+
		"&_pragma=foreign_keys(1)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, openErr(abs, err)
	}
	r.SetMaxOpenConns(o.readers)
	s.r = r
	return s, nil
}

func openErr(path string, err error) error {
	return apperr.Wrap(err, apperr.CodeStorage,
		"Structura could not open its database at "+path+".",
		"Check that the data folder exists, is not read-only and that the disk is not full. If another copy of Structura is open, close it and try again.")
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// LastBackup is the backup taken by Open before migrating, "" if none.
func (s *Store) LastBackup() string { return s.lastBak }

// Close closes all connections. A WAL checkpoint runs on the last close.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	return errors.Join(errs...)
}

// Version returns the schema version of the open database.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func (s *Store) migrate(ctx context.Context, target int) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return openErr(s.path, err)
	}
	defer conn.Close()

	var version, tables int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return openErr(s.path, err)
	}
	if version > SchemaVersion {
		return apperr.New(apperr.CodeStorage,
			fmt.Sprintf("This database was written by a newer version of Structura (schema %d; this version knows up to %d).", version, SchemaVersion),
			"Install the latest version of Structura. Your data has not been changed.")
	}
	if version >= target {
		return nil
	}
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return openErr(s.path, err)
	}
	if version > 0 || tables > 0 {
		bak, err := s.backup(ctx, conn, version)
		if err != nil {
			return err
		}
		s.lastBak = bak
	}
	for _, m := range migrations {
		if m.version <= version || m.version > target {
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return apperr.Wrap(err, apperr.CodeStorage,
				fmt.Sprintf("Structura could not update its database to version %d.", m.version),
				"Nothing was changed: the update is all or nothing, and a backup copy is in the backups folder. Send the log file to support.")
		}
	}
	return nil
}

// applyMigration runs one migration in one transaction, with foreign keys
// off during the change (SQLite's procedure for table rebuilds) and checked
// before commit.
func applyMigration(ctx context.Context, conn *sql.Conn, m migration) (err error) {
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys=OFF"); err != nil {
		return err
	}
	defer func() {
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys=ON"); ferr != nil && err == nil {
			err = ferr
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
	}
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	bad := rows.Next()
	rows.Close()
	if bad {
		return fmt.Errorf("migration %04d_%s: foreign key check failed", m.version, m.name)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}

// backup writes a consistent copy of the database (WAL content included)
// to backupDir/<name>-v<version>-<UTC time>.db with VACUUM INTO.
func (s *Store) backup(ctx context.Context, conn *sql.Conn, version int) (string, error) {
	if err := os.MkdirAll(s.backupDir, 0o700); err != nil {
		return "", backupErr(err)
	}
	stem := strings.TrimSuffix(filepath.Base(s.path), filepath.Ext(s.path))
	ts := s.clk.Now().UTC().Format("20060102T150405Z")
	dst := filepath.Join(s.backupDir, fmt.Sprintf("%s-v%d-%s.db", stem, version, ts))
	for i := 2; ; i++ {
		if _, err := os.Stat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = filepath.Join(s.backupDir, fmt.Sprintf("%s-v%d-%s-%d.db", stem, version, ts, i))
	}
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return "", backupErr(err)
	}
	return dst, nil
}

func backupErr(err error) error {
	return apperr.Wrap(err, apperr.CodeStorage,
		"Structura needs to update its database but could not make a backup copy first, so it changed nothing.",
		"Check that the disk is not full and that the data folder's backups folder is writable, then start Structura again.")
}

// WithTx runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection) and commits if fn returns nil. Any error rolls back
// everything fn did. Do not call WithTx from inside fn.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return storageErr(err, true)
	}
	if err := fn(&Tx{tx: tx}); err != nil {
		_ = tx.Rollback()
		return storageErr(err, true)
	}
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback()
		return storageErr(err, true)
	}
	return nil
}

// View runs fn in a read transaction on the read pool: fn sees one
// consistent snapshot and cannot write.
func (s *Store) View(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return storageErr(err, false)
	}
	defer tx.Rollback()
	if err := fn(&Tx{tx: tx}); err != nil {
		return storageErr(err, false)
	}
	return nil
}

// storageErr leaves app errors and cancellation alone and turns anything
// else into a practitioner-facing storage error (the cause is logged, not
// shown).
func storageErr(err error, write bool) error {
	if _, ok := apperr.As(err); ok || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if write {
		return apperr.Wrap(err, apperr.CodeStorage, "Structura could not save your changes.",
			"Nothing was changed. Check that the disk is not full, then try again.")
	}
	return apperr.Wrap(err, apperr.CodeStorage, "Structura could not read its database.",
		"Try again. If it keeps happening, restart Structura and send the log file to support.")
}

// Times are stored as RFC 3339 UTC text with nanoseconds.
const timeLayout = time.RFC3339Nano

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

// LocalActor is the name journal entries record as "who" for changes made
// on this computer: the OS user name, or "local user" if it is unknown.
func LocalActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "local user"
}
