package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/model"
)

var t0 = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

func openT(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawCount counts rows through a separate plain connection.
func rawCount(t *testing.T, path, table string) int {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestOpenCreatesFileAndDirAndSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nested", "dir", "structura.db")
	s := openT(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Version(ctx); v != SchemaVersion || SchemaVersion < 2 {
		t.Fatalf("version %d, SchemaVersion %d", v, SchemaVersion)
	}
	if s.LastBackup() != "" {
		t.Fatal("a new database needs no backup")
	}
	var mode string
	var fk, rfk, qo int
	if err := s.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
	if err := s.w.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("writer foreign_keys = %d, %v", fk, err)
	}
	if err := s.r.QueryRow("PRAGMA foreign_keys").Scan(&rfk); err != nil || rfk != 1 {
		t.Fatalf("reader foreign_keys = %d, %v", rfk, err)
	}
	if err := s.r.QueryRow("PRAGMA query_only").Scan(&qo); err != nil || qo != 1 {
		t.Fatalf("reader query_only = %d, %v", qo, err)
	}
	if s.w.Stats().MaxOpenConnections != 1 {
		t.Fatal("more than one writer connection")
	}
	// A write through View is refused by SQLite itself.
	err := s.View(ctx, func(tx *Tx) error {
		_, err := tx.InsertGroup(ctx, "x", "", t0)
		return err
	})
	if apperr.CodeOf(err) != apperr.CodeStorage {
		t.Fatalf("write in View: %v", err)
	}
}

// seedV1 writes a little of everything a version-1 database holds.
func seedV1(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	err := s.WithTx(ctx, func(tx *Tx) error {
		g, err := tx.InsertGroup(ctx, "Citizen Family", "since 2001", t0)
		if err != nil {
			return err
		}
		jane, err := tx.InsertEntity(ctx, EntityRow{Kind: model.KindIndividual, GivenName: "Jane", FamilyName: "Citizen", DateOfBirth: "1970-06-30"}, t0)
		if err != nil {
			return err
		}
		acme, err := tx.InsertEntity(ctx, EntityRow{Kind: model.KindCompany, LegalName: "Acme Pty Ltd", ACN: "004085616", ABN: "53004085616"}, t0)
		if err != nil {
			return err
		}
		if err := tx.SetEntityTFN(ctx, jane, []byte{1, 2, 3, 4}, "782", t0); err != nil {
			return err
		}
		for _, id := range []int64{jane, acme} {
			if _, err := tx.AddMember(ctx, g.ID, id, t0); err != nil {
				return err
			}
		}
		pct := 60.0
		if _, err := tx.InsertRelationship(ctx, model.RelationshipInput{FromID: jane, ToID: acme, Type: "shareholder", Percentage: &pct, StartDate: "2001-07-01"}, t0); err != nil {
			return err
		}
		// journal.job_id only exists from version 2: write v1 columns.
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO journal (at, actor, source, action, object_type, object_id, summary, after_json)
			VALUES (?, 'jane', 'local', 'create', 'group', ?, 'Created group', '{}')`, fmtTime(t0), g.ID)
		return err
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// Acceptance 5: a database at schema version N-1 with data upgrades to N
// with nothing lost, and a backup file exists.
func TestMigrationFromPreviousVersionKeepsDataAndBacksUp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "structura.db")
	prev := SchemaVersion - 1

	old, err := Open(ctx, path, withTargetVersion(prev))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := old.Version(ctx); v != prev {
		t.Fatalf("old db at version %d, want %d", v, prev)
	}
	seedV1(t, old)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := openT(t, path, WithClock(clock.NewFake(t0)))
	if v, _ := s.Version(ctx); v != SchemaVersion {
		t.Fatalf("after migration: version %d, want %d", v, SchemaVersion)
	}
	// The backup exists, where the lead's paths.Layout expects it, and is
	// the old version with the old data.
	wantBak := filepath.Join(dir, "backups", "structura-v"+strconv.Itoa(prev)+"-20260315T100000Z.db")
	if s.LastBackup() != wantBak {
		t.Fatalf("backup %q, want %q", s.LastBackup(), wantBak)
	}
	bak, err := sql.Open("sqlite", wantBak)
	if err != nil {
		t.Fatal(err)
	}
	var bv, bn int
	bak.QueryRow("PRAGMA user_version").Scan(&bv)
	bak.QueryRow("SELECT count(*) FROM entity").Scan(&bn)
	bak.Close()
	if bv != prev || bn != 2 {
		t.Fatalf("backup at version %d with %d entities, want %d and 2", bv, bn, prev)
	}

	// Nothing lost.
	err = s.View(ctx, func(tx *Tx) error {
		gs, err := tx.ListGroupSummaries(ctx, "")
		if err != nil {
			return err
		}
		if len(gs) != 1 || gs[0].Name != "Citizen Family" || gs[0].Notes != "since 2001" || gs[0].EntityCount != 2 || gs[0].RelationshipCount != 1 || gs[0].Linked {
			t.Errorf("groups after migration: %+v", gs)
		}
		ms, err := tx.GroupMembers(ctx, gs[0].ID)
		if err != nil {
			return err
		}
		if len(ms) != 2 || ms[0].LegalName != "Acme Pty Ltd" || ms[0].ACN != "004085616" || ms[1].DateOfBirth != "1970-06-30" || ms[1].TFNLast3 != "782" {
			t.Errorf("members after migration: %+v", ms)
		}
		if !ms[0].CreatedAt.Equal(t0) {
			t.Errorf("created_at %v", ms[0].CreatedAt)
		}
		c, err := tx.EntityTFNCipher(ctx, ms[1].ID)
		if err != nil || string(c) != "\x01\x02\x03\x04" {
			t.Errorf("tfn cipher %v %v", c, err)
		}
		rels, err := tx.GroupRelationships(ctx, gs[0].ID)
		if err != nil {
			return err
		}
		if len(rels) != 1 || rels[0].Percentage == nil || *rels[0].Percentage != 60 || rels[0].StartDate != "2001-07-01" {
			t.Errorf("relationships after migration: %+v", rels)
		}
		j, err := tx.Journal(ctx, 10)
		if err != nil {
			return err
		}
		if len(j) != 1 || j[0].Actor != "jane" || j[0].JobID != nil {
			t.Errorf("journal after migration: %+v", j)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The new tables work.
	for _, table := range []string{"xpm_connection", "group_link", "entity_link", "relationship_link", "job"} {
		rawCount(t, path, table)
	}

	// Opening an up-to-date database takes no further backup.
	s.Close()
	s2 := openT(t, path, WithClock(clock.NewFake(t0.Add(time.Hour))))
	if s2.LastBackup() != "" {
		t.Fatal("backup taken without a migration")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "backups"))
	if len(entries) != 1 {
		t.Fatalf("%d backups", len(entries))
	}
}

func TestNewerDatabaseIsRefusedUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	s := openT(t, path)
	if _, err := s.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), path)
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.CodeStorage || !strings.Contains(e.Message, "newer version of Structura") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "backups")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused database must not be touched")
	}
}

func TestFailedMigrationChangesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s := openT(t, path)
	seedV1(t, s)
	s.Close()

	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(append([]migration{}, saved...), migration{
		version: SchemaVersion + 1, name: "broken",
		sql: "CREATE TABLE half_done (x); ALTER TABLE entity ADD COLUMN y TEXT; INSERT INTO nowhere VALUES (1);",
	})
	_, err := Open(ctx, path, withTargetVersion(SchemaVersion+1))
	if apperr.CodeOf(err) != apperr.CodeStorage {
		t.Fatalf("err = %v", err)
	}
	migrations = saved

	s = openT(t, path)
	if v, _ := s.Version(ctx); v != SchemaVersion {
		t.Fatalf("version %d after failed migration", v)
	}
	var n int
	s.w.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").Scan(&n)
	if n != 0 {
		t.Fatal("half of a failed migration was kept")
	}
	if _, err := s.w.Exec("SELECT y FROM entity"); err == nil {
		t.Fatal("column from failed migration kept")
	}
	if rawCount(t, path, "entity") != 2 {
		t.Fatal("data lost")
	}
	if entries, _ := os.ReadDir(filepath.Join(filepath.Dir(path), "backups")); len(entries) != 1 {
		t.Fatalf("want the one backup taken before the failed attempt, got %d", len(entries))
	}
}

func TestLoadMigrationsRejectsGaps(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x);")},
		"migrations/0003_c.sql": {Data: []byte("CREATE TABLE c (x);")},
	}
	if _, err := loadMigrations(fsys); err == nil {
		t.Fatal("gap accepted")
	}
}

func TestWithTxRollsBackEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s := openT(t, path)
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.InsertGroup(ctx, "G", "", t0); err != nil {
			return err
		}
		if _, err := tx.InsertEntity(ctx, EntityRow{Kind: model.KindCompany, LegalName: "X"}, t0); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || apperr.CodeOf(err) != apperr.CodeStorage {
		t.Fatalf("err = %v (code %s)", err, apperr.CodeOf(err))
	}
	if rawCount(t, path, "entity_group")+rawCount(t, path, "entity") != 0 {
		t.Fatal("rolled-back rows are in the file")
	}
	// App errors pass through unchanged.
	nf := apperr.NotFound("group")
	if err := s.WithTx(ctx, func(tx *Tx) error { return nf }); err != nf {
		t.Fatalf("app error rewrapped: %v", err)
	}
}

func TestSchemaConstraints(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "s.db"))
	var g model.Group
	var a, b int64
	err := s.WithTx(ctx, func(tx *Tx) error {
		var err error
		g, _ = tx.InsertGroup(ctx, "G", "", t0)
		a, _ = tx.InsertEntity(ctx, EntityRow{Kind: model.KindIndividual, GivenName: "A"}, t0)
		b, err = tx.InsertEntity(ctx, EntityRow{Kind: model.KindCompany, LegalName: "B"}, t0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) error {
		return s.WithTx(ctx, func(tx *Tx) error { _, err := tx.tx.ExecContext(ctx, q, args...); return err })
	}
	for name, q := range map[string]string{
		"self relationship":  `INSERT INTO relationship (from_id, to_id, type, created_at, updated_at) VALUES (1, 1, 'spouse', '', '')`,
		"percentage 140":     `INSERT INTO relationship (from_id, to_id, type, percentage, created_at, updated_at) VALUES (1, 2, 'shareholder', 140, '', '')`,
		"dangling entity":    `INSERT INTO relationship (from_id, to_id, type, created_at, updated_at) VALUES (1, 99, 'director', '', '')`,
		"bad kind":           `INSERT INTO entity (kind, created_at, updated_at) VALUES ('person', '', '')`,
		"tfn without last3":  `UPDATE entity SET tfn_cipher = x'01' WHERE id = 1`,
		"dangling member":    `INSERT INTO group_member (group_id, entity_id, added_at) VALUES (1, 99, '')`,
		"bad job state":      `INSERT INTO job (kind, state, created_at, updated_at) VALUES ('pull', 'lost', '', '')`,
		"bad journal source": `INSERT INTO journal (at, actor, source, action, object_type, object_id) VALUES ('', '', 'xpm', 'create', 'group', 1)`,
	} {
		if err := exec(q); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	// Links are 1:1 on both sides and survive a local delete as tombstones.
	if err := exec(`INSERT INTO group_link (group_id, xpm_group_uuid, tenant_id, linked_at) VALUES (?, 'g-1', 't', '')`, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO group_link (group_id, xpm_group_uuid, tenant_id, linked_at) VALUES (?, 'g-2', 't', '')`, g.ID); err == nil {
		t.Error("a local group linked twice")
	}
	if err := exec(`INSERT INTO entity_link (entity_id, xpm_client_uuid, tenant_id, linked_at) VALUES (?, 'c-1', 't', '')`, a); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO entity_link (entity_id, xpm_client_uuid, tenant_id, linked_at) VALUES (?, 'c-1', 't', '')`, b); err == nil {
		t.Error("an XPM client linked twice")
	}
	err = s.WithTx(ctx, func(tx *Tx) error {
		if err := tx.DeleteGroup(ctx, g.ID); err != nil {
			return err
		}
		return tx.DeleteEntity(ctx, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	var gl, el sql.NullInt64
	s.w.QueryRow(`SELECT group_id FROM group_link WHERE xpm_group_uuid = 'g-1'`).Scan(&gl)
	s.w.QueryRow(`SELECT entity_id FROM entity_link WHERE xpm_client_uuid = 'c-1'`).Scan(&el)
	if gl.Valid || el.Valid {
		t.Fatalf("tombstones: group %v entity %v", gl, el)
	}
	var n int
	s.w.QueryRow(`SELECT count(*) FROM group_link`).Scan(&n)
	if n != 1 {
		t.Fatal("link row lost on local delete")
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openT(t, filepath.Join(t.TempDir(), "s.db"))
	err := s.WithTx(ctx, func(tx *Tx) error {
		g1, _ := tx.InsertGroup(ctx, "Citizen Family", "", t0)
		g2, _ := tx.InsertGroup(ctx, "another 100%_group", "", t0)
		jane, _ := tx.InsertEntity(ctx, EntityRow{Kind: model.KindIndividual, GivenName: "Jane", FamilyName: "Citizen"}, t0)
		acme, _ := tx.InsertEntity(ctx, EntityRow{Kind: model.KindCompany, LegalName: "Acme Pty Ltd", ABN: "53004085616"}, t0)
		tx.AddMember(ctx, g1.ID, jane, t0)
		_, err := tx.AddMember(ctx, g2.ID, acme, t0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"":             "another 100%_group,Citizen Family",
		"citizen":      "Citizen Family",
		"jane citizen": "Citizen Family",
		"citizen jane": "Citizen Family",
		"acme":         "another 100%_group",
		"004 085 616":  "another 100%_group",
		"100%":         "another 100%_group",
		"%":            "another 100%_group",
		"_":            "another 100%_group",
		"nobody":       "",
	} {
		var names []string
		s.View(ctx, func(tx *Tx) error {
			gs, err := tx.ListGroupSummaries(ctx, q)
			for _, g := range gs {
				names = append(names, g.Name)
			}
			return err
		})
		if got := strings.Join(names, ","); got != want {
			t.Errorf("ListGroupSummaries(%q) = %q, want %q", q, got, want)
		}
	}
	var es []model.Entity
	s.View(ctx, func(tx *Tx) error { es, err = tx.ListEntities(ctx, "53 004", 0); return err })
	if len(es) != 1 || es[0].DisplayName != "Acme Pty Ltd" {
		t.Fatalf("ListEntities by ABN: %+v", es)
	}
}

func BenchmarkInsertEntities(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const perTx = 1000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := s.WithTx(ctx, func(tx *Tx) error {
			for j := 0; j < perTx; j++ {
				if _, err := tx.InsertEntity(ctx, EntityRow{Kind: model.KindCompany, LegalName: "Bench Pty Ltd", ABN: "51824753556"}, t0); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perTx), "ns/entity")
}

func TestJobsSurviveARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s := openT(t, path)
	var id, done int64
	err := s.WithTx(ctx, func(tx *Tx) error {
		var err error
		if id, err = tx.InsertJob(ctx, "pull", `{"groupId":1}`, t0); err != nil {
			return err
		}
		if done, err = tx.InsertJob(ctx, "push", "", t0); err != nil {
			return err
		}
		if err := tx.UpdateJob(ctx, id, JobRunning, `{"done":3,"total":10}`, "", t0.Add(time.Minute)); err != nil {
			return err
		}
		return tx.UpdateJob(ctx, done, JobSucceeded, "", "", t0)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openT(t, path)
	var jobs []Job
	s.View(ctx, func(tx *Tx) error { jobs, err = tx.UnfinishedJobs(ctx); return err })
	if len(jobs) != 1 || jobs[0].ID != id || jobs[0].State != JobRunning || jobs[0].Progress != `{"done":3,"total":10}` ||
		jobs[0].Params != `{"groupId":1}` || !jobs[0].UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("unfinished after restart: %+v", jobs)
	}
	err = s.WithTx(ctx, func(tx *Tx) error { return tx.UpdateJob(ctx, 999, JobFailed, "", "x", t0) })
	if apperr.CodeOf(err) != apperr.CodeNotFound {
		t.Fatalf("missing job: %v", err)
	}
}
