package structure

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"structura/backend/apperr"
	"structura/backend/clock"
	"structura/backend/model"
	"structura/backend/secrets"
	"structura/backend/store"
)

var t0 = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

type env struct {
	t    *testing.T
	ctx  context.Context
	path string
	st   *store.Store
	sec  *secrets.Memory
	clk  *clock.Fake
	svc  *Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "structura.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, ctx: ctx, path: path, st: st, sec: secrets.NewMemory(), clk: clock.NewManualFake(t0)}
	e.svc = New(st, e.sec, e.clk, nil)
	e.svc.SetActor("tester")
	return e
}

func (e *env) group(name string) model.Group {
	e.t.Helper()
	g, err := e.svc.CreateGroup(e.ctx, name, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return g
}

func (e *env) entity(groupID int64, in model.EntityInput) model.Entity {
	e.t.Helper()
	x, err := e.svc.CreateEntity(e.ctx, groupID, in)
	if err != nil {
		e.t.Fatalf("CreateEntity(%+v): %v", in, err)
	}
	return x
}

func person(given, family string) model.EntityInput {
	return model.EntityInput{Kind: model.KindIndividual, GivenName: given, FamilyName: family}
}

func org(kind model.EntityKind, name string) model.EntityInput {
	return model.EntityInput{Kind: kind, LegalName: name}
}

func (e *env) rel(in model.RelationshipInput) model.Relationship {
	e.t.Helper()
	r, err := e.svc.CreateRelationship(e.ctx, in)
	if err != nil {
		e.t.Fatalf("CreateRelationship(%+v): %v", in, err)
	}
	return r
}

// counts reads row counts straight from the SQLite file, through a
// connection of its own.
func (e *env) counts() map[string]int {
	e.t.Helper()
	db, err := sql.Open("sqlite", e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	out := map[string]int{}
	for _, table := range []string{"entity_group", "entity", "group_member", "relationship", "journal"} {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func (e *env) rawExec(q string) {
	e.t.Helper()
	db, err := sql.Open("sqlite", e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		e.t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// wantValidation checks err is a validation error whose field message
// contains msg.
func wantValidation(t *testing.T, err error, field, msg string) {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Code != apperr.CodeValidation {
		t.Fatalf("err = %v, want a validation error", err)
	}
	if !strings.Contains(ae.Fields[field], msg) {
		t.Fatalf("fields = %v, want %s to contain %q", ae.Fields, field, msg)
	}
	if ae.Message == "" {
		t.Fatal("no summary message")
	}
}

// Acceptance 4: invalid input is refused with a specific message and
// nothing is half-saved.
func TestInvalidInputIsRefusedAndNothingSaved(t *testing.T) {
	e := newEnv(t)
	g := e.group("Citizen Family")
	jane := e.entity(g.ID, person("Jane", "Citizen"))
	john := e.entity(g.ID, person("John", "Citizen"))
	acme := e.entity(g.ID, org(model.KindCompany, "Acme Pty Ltd"))
	fund := e.entity(g.ID, org(model.KindSMSF, "Citizen Super Fund"))
	e.rel(model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "director"})
	e.rel(model.RelationshipInput{FromID: jane.ID, ToID: john.ID, Type: "spouse"})
	e.rel(model.RelationshipInput{FromID: john.ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(60.0)})
	for i := 0; i < 6; i++ {
		m := e.entity(g.ID, person(fmt.Sprintf("Member%d", i), "Citizen"))
		e.rel(model.RelationshipInput{FromID: m.ID, ToID: fund.ID, Type: "member"})
	}
	seventh := e.entity(g.ID, person("Seventh", "Citizen"))

	cases := []struct {
		name  string
		do    func() error
		field string
		msg   string
	}{
		{"bad ABN", func() error {
			_, err := e.svc.CreateEntity(e.ctx, g.ID, model.EntityInput{Kind: model.KindCompany, LegalName: "Bad Pty Ltd", ABN: "51 824 753 557"})
			return err
		}, "abn", "This ABN is not valid: the check digits do not match. Check it on abr.business.gov.au."},
		{"bad ACN", func() error {
			_, err := e.svc.CreateEntity(e.ctx, g.ID, model.EntityInput{Kind: model.KindCompany, LegalName: "Bad Pty Ltd", ACN: "004 085 617"})
			return err
		}, "acn", "This ACN is not valid"},
		{"bad ABN on update", func() error {
			in := org(model.KindCompany, "Acme Pty Ltd")
			in.ABN = "12 345 678 901"
			_, err := e.svc.UpdateEntity(e.ctx, acme.ID, in)
			return err
		}, "abn", "check digits do not match"},
		{"percentage 140", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(140.0)})
			return err
		}, "percentage", "between 0 and 100 (you entered 140%)"},
		{"shareholdings over 100%", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(50.0)})
			return err
		}, "percentage", "Shareholder percentages in Acme Pty Ltd would add up to 110%, more than 100%. 60% already recorded"},
		{"self relationship", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: jane.ID, ToID: jane.ID, Type: "spouse"})
			return err
		}, "toId", "An entity cannot have a relationship with itself"},
		{"trustee of a company", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "trustee"})
			return err
		}, "toId", "“Trustee of” can only point at a trust or an SMSF, and Acme Pty Ltd is a company."},
		{"7th SMSF member", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: seventh.ID, ToID: fund.ID, Type: "member"})
			return err
		}, "toId", "Citizen Super Fund already has 6 members, the most an SMSF can have."},
		{"duplicate relationship", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "director", StartDate: "2024-01-01"})
			return err
		}, "type", "Jane Citizen is already recorded as director of Acme Pty Ltd."},
		{"duplicate symmetric, reversed", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: john.ID, ToID: jane.ID, Type: "spouse"})
			return err
		}, "type", "already recorded as spouse of"},
		{"future date of birth", func() error {
			in := person("Baby", "Citizen")
			in.DateOfBirth = "2026-03-16"
			_, err := e.svc.CreateEntity(e.ctx, g.ID, in)
			return err
		}, "dateOfBirth", "cannot be in the future"},
		{"end before start", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: john.ID, ToID: acme.ID, Type: "director", StartDate: "2020-01-01", EndDate: "2019-01-01"})
			return err
		}, "endDate", "cannot be before the start date"},
		{"missing group name", func() error { _, err := e.svc.CreateGroup(e.ctx, "   ", ""); return err }, "name", "Enter a name"},
		{"unknown other end", func() error {
			_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: jane.ID, ToID: 9999, Type: "director"})
			return err
		}, "toId", "no longer exists"},
		{"kind change breaks relationships", func() error {
			_, err := e.svc.UpdateEntity(e.ctx, acme.ID, org(model.KindTrust, "Acme Pty Ltd"))
			return err
		}, "kind", "Acme Pty Ltd cannot become a trust while it has relationships a trust cannot have (director of, shareholder of)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := e.counts()
			wantValidation(t, tc.do(), tc.field, tc.msg)
			if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("rows changed by a refused write: before %v, after %v", before, after)
			}
		})
	}
	// The entity that was refused an update is unchanged.
	got, _ := e.svc.GetEntity(e.ctx, acme.ID)
	if got.Kind != model.KindCompany || got.ABN != "" {
		t.Fatalf("refused update changed the entity: %+v", got)
	}
}

func TestEndedRelationshipsDoNotCountAsCurrent(t *testing.T) {
	e := newEnv(t)
	g := e.group("G")
	fund := e.entity(g.ID, org(model.KindSMSF, "Fund"))
	acme := e.entity(g.ID, org(model.KindCompany, "Acme"))
	var members []model.Entity
	for i := 0; i < 7; i++ {
		members = append(members, e.entity(g.ID, person(fmt.Sprint("M", i), "X")))
	}
	for i := 0; i < 6; i++ {
		in := model.RelationshipInput{FromID: members[i].ID, ToID: fund.ID, Type: "member"}
		if i == 0 {
			in.EndDate = "2025-06-30" // left last year
		}
		e.rel(in)
	}
	e.rel(model.RelationshipInput{FromID: members[6].ID, ToID: fund.ID, Type: "member"}) // 6 current members

	// A former director may be appointed again; the old 100% holding ended.
	e.rel(model.RelationshipInput{FromID: members[1].ID, ToID: acme.ID, Type: "director", EndDate: "2020-01-01"})
	e.rel(model.RelationshipInput{FromID: members[1].ID, ToID: acme.ID, Type: "director", StartDate: "2024-01-01"})
	e.rel(model.RelationshipInput{FromID: members[1].ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(100.0), EndDate: "2023-12-31"})
	r := e.rel(model.RelationshipInput{FromID: members[2].ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(100.0)})

	// An update is not counted against itself.
	if _, err := e.svc.UpdateRelationship(e.ctx, r.ID, model.RelationshipInput{FromID: members[2].ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(99.5), NumberOfShares: ptr[int64](995)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.CreateRelationship(e.ctx, model.RelationshipInput{FromID: members[3].ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(0.6)})
	wantValidation(t, err, "percentage", "would add up to 100.1%")
	e.rel(model.RelationshipInput{FromID: members[3].ID, ToID: acme.ID, Type: "shareholder", Percentage: ptr(0.5)})
}

// A failure in the middle of a multi-row change leaves nothing behind.
func TestMultiRowChangesAreAllOrNothing(t *testing.T) {
	e := newEnv(t)
	g := e.group("G")
	jane := e.entity(g.ID, person("Jane", "Citizen"))
	acme := e.entity(g.ID, org(model.KindCompany, "Acme"))
	e.rel(model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "director"})

	// CreateEntity: the entity row is written, then the membership fails.
	e.rawExec(`CREATE TRIGGER fail_member BEFORE INSERT ON group_member BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
	before := e.counts()
	_, err := e.svc.CreateEntity(e.ctx, g.ID, person("Half", "Saved"))
	if apperr.CodeOf(err) != apperr.CodeStorage {
		t.Fatalf("err = %v", err)
	}
	if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("half-saved: before %v, after %v", before, after)
	}
	e.rawExec(`DROP TRIGGER fail_member`)

	// DeleteEntity: relationships, memberships and journal entries go first;
	// the entity's own journal entry (the last write) fails.
	e.rawExec(`CREATE TRIGGER fail_journal BEFORE INSERT ON journal WHEN NEW.object_type = 'entity' AND NEW.action = 'delete'
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
	before = e.counts()
	if err := e.svc.DeleteEntity(e.ctx, jane.ID); apperr.CodeOf(err) != apperr.CodeStorage {
		t.Fatalf("err = %v", err)
	}
	if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("half-deleted: before %v, after %v", before, after)
	}
	// Same for deleting a group with its entities.
	if err := e.svc.DeleteGroup(e.ctx, g.ID, true); apperr.CodeOf(err) != apperr.CodeStorage {
		t.Fatalf("err = %v", err)
	}
	if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("group half-deleted: before %v, after %v", before, after)
	}
	e.rawExec(`DROP TRIGGER fail_journal`)
	if err := e.svc.DeleteEntity(e.ctx, jane.ID); err != nil {
		t.Fatal(err)
	}
	c := e.counts()
	if c["entity"] != 1 || c["relationship"] != 0 || c["group_member"] != 1 {
		t.Fatalf("after delete: %v", c)
	}
}

func TestJournalRecordsEveryChange(t *testing.T) {
	e := newEnv(t)
	g := e.group("Citizen Family")
	if _, err := e.svc.UpdateGroup(e.ctx, g.ID, "Citizen Group", "notes"); err != nil {
		t.Fatal(err)
	}
	jane := e.entity(g.ID, person("Jane", "Citizen"))
	acme := e.entity(0, org(model.KindCompany, "Acme Pty Ltd"))
	if err := e.svc.AddMember(e.ctx, g.ID, acme.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AddMember(e.ctx, g.ID, acme.ID); err != nil { // no-op, no entry
		t.Fatal(err)
	}
	r := e.rel(model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "director"})
	if _, err := e.svc.UpdateRelationship(e.ctx, r.ID, model.RelationshipInput{FromID: jane.ID, ToID: acme.ID, Type: "director", StartDate: "2020-07-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdateEntity(e.ctx, jane.ID, model.EntityInput{Kind: model.KindIndividual, GivenName: "Janet", FamilyName: "Citizen"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteRelationship(e.ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RemoveMember(e.ctx, g.ID, acme.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteEntity(e.ctx, acme.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteGroup(e.ctx, g.ID, false); err != nil {
		t.Fatal(err)
	}

	j, err := e.svc.Journal(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(j) - 1; i >= 0; i-- { // oldest first
		x := j[i]
		got = append(got, x.Action+" "+x.ObjectType+": "+x.Summary)
		if x.Actor != "tester" || x.Source != model.SourceLocal || !x.At.Equal(t0) {
			t.Errorf("entry %d: actor %q source %q at %v", x.ID, x.Actor, x.Source, x.At)
		}
		if (x.Action == model.ActionCreate || x.Action == model.ActionAddMember) != (x.Before == "") {
			t.Errorf("%s: before snapshot %q", x.Summary, x.Before)
		}
		if (x.Action == model.ActionDelete || x.Action == model.ActionRemoveMember) != (x.After == "") {
			t.Errorf("%s: after snapshot %q", x.Summary, x.After)
		}
		for _, s := range []string{x.Before, x.After} {
			if s != "" && !json.Valid([]byte(s)) {
				t.Errorf("bad JSON snapshot %q", s)
			}
		}
	}
	want := []string{
		`create group: Created group "Citizen Family"`,
		`update group: Renamed group "Citizen Family" to "Citizen Group"`,
		`create entity: Created Jane Citizen (individual)`,
		`add_member membership: Added Jane Citizen to group "Citizen Group"`,
		`create entity: Created Acme Pty Ltd (company)`,
		`add_member membership: Added Acme Pty Ltd to group "Citizen Group"`,
		`create relationship: Recorded: Jane Citizen is director of Acme Pty Ltd`,
		`update relationship: Updated: Jane Citizen is director of Acme Pty Ltd`,
		`update entity: Updated Janet Citizen`,
		`delete relationship: Deleted: Janet Citizen is director of Acme Pty Ltd`,
		`remove_member membership: Removed Acme Pty Ltd from group "Citizen Group"`,
		`delete entity: Deleted Acme Pty Ltd`,
		`delete group: Deleted group "Citizen Group"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("journal:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if j, _ := e.svc.Journal(e.ctx, 2); len(j) != 2 || j[0].ObjectType != model.ObjectGroup {
		t.Fatalf("limit/newest first: %+v", j)
	}
}

func TestTFNIsEncryptedAndOnlyLast3Shown(t *testing.T) {
	e := newEnv(t)
	g := e.group("G")
	in := person("Jane", "Citizen")
	in.TFN = ptr("123 456 782")
	jane := e.entity(g.ID, in)
	if jane.TFNLast3 != "782" {
		t.Fatalf("TFNLast3 = %q", jane.TFNLast3)
	}
	key, err := e.sec.Get(e.ctx, TFNKeyName)
	if err != nil || key == "" {
		t.Fatalf("key not created in the keychain: %v", err)
	}
	// Round trip for the sync push.
	if full, err := e.svc.TaxFileNumber(e.ctx, jane.ID); err != nil || full != "123456782" {
		t.Fatalf("TaxFileNumber = %q, %v", full, err)
	}
	// Unchanged when the input has no TFN; other entities have none.
	up, err := e.svc.UpdateEntity(e.ctx, jane.ID, person("Jane", "Citizen-Smith"))
	if err != nil || up.TFNLast3 != "782" {
		t.Fatalf("update without TFN: %+v, %v", up, err)
	}
	acme := e.entity(g.ID, org(model.KindCompany, "Acme"))
	if full, err := e.svc.TaxFileNumber(e.ctx, acme.ID); err != nil || full != "" {
		t.Fatalf("no TFN: %q, %v", full, err)
	}
	// A second TFN under the same key.
	in2 := org(model.KindCompany, "Acme")
	in2.TFN = ptr("876543210")
	if a, err := e.svc.UpdateEntity(e.ctx, acme.ID, in2); err != nil || a.TFNLast3 != "210" {
		t.Fatalf("set TFN on update: %+v %v", a, err)
	}
	d, _ := e.svc.GetGroup(e.ctx, g.ID)
	b, _ := json.Marshal(d)
	if bytes.Contains(b, []byte("123456782")) || !bytes.Contains(b, []byte(`"tfnLast3":"782"`)) {
		t.Fatalf("group detail: %s", b)
	}

	// The clear number is nowhere in the database files; the ciphertext is.
	db, _ := sql.Open("sqlite", e.path)
	var blob []byte
	db.QueryRow("SELECT tfn_cipher FROM entity WHERE id = ?", jane.ID).Scan(&blob)
	db.Close()
	if len(blob) != 1+12+9+16 {
		t.Fatalf("ciphertext of %d bytes", len(blob))
	}
	e.st.Close()
	for _, f := range []string{e.path, e.path + "-wal", e.path + "-shm"} {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, clear := range []string{"123456782", "123 456 782", "876543210"} {
			if bytes.Contains(data, []byte(clear)) {
				t.Fatalf("clear TFN %q found in %s", clear, filepath.Base(f))
			}
		}
	}
	st, err := store.Open(e.ctx, e.path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	// Another computer (same file, empty keychain) cannot read or add TFNs,
	// and says why; other edits still work.
	other := New(st, secrets.NewMemory(), e.clk, nil)
	_, err = other.TaxFileNumber(e.ctx, jane.ID)
	if e2, ok := apperr.As(err); !ok || e2.Code != apperr.CodeKeychain || !strings.Contains(e2.Message, "missing from the system keychain") {
		t.Fatalf("missing key: %v", err)
	}
	in3 := person("New", "Person")
	in3.TFN = ptr("123456782")
	if _, err := other.CreateEntity(e.ctx, g.ID, in3); apperr.CodeOf(err) != apperr.CodeKeychain {
		t.Fatalf("adding a TFN under a new key must be refused: %v", err)
	}
	if _, err := other.CreateEntity(e.ctx, g.ID, person("New", "Person")); err != nil {
		t.Fatal(err)
	}

	// A ciphertext moved to another row does not decrypt.
	same := New(st, e.sec, e.clk, nil)
	w, _ := sql.Open("sqlite", e.path)
	if _, err := w.Exec("UPDATE entity SET tfn_cipher = (SELECT tfn_cipher FROM entity WHERE id = ?), tfn_last3 = '782' WHERE id = ?", jane.ID, acme.ID); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := same.TaxFileNumber(e.ctx, acme.ID); apperr.CodeOf(err) != apperr.CodeKeychain {
		t.Fatalf("swapped ciphertext: %v", err)
	}

	// "" removes the TFN.
	rm := person("Jane", "Citizen")
	rm.TFN = ptr("")
	if x, err := same.UpdateEntity(e.ctx, jane.ID, rm); err != nil || x.TFNLast3 != "" {
		t.Fatalf("remove TFN: %+v %v", x, err)
	}
	if full, err := same.TaxFileNumber(e.ctx, jane.ID); err != nil || full != "" {
		t.Fatalf("after removal: %q %v", full, err)
	}
}

// blockingSecrets is a keychain that never answers until ctx ends.
type blockingSecrets struct{}

func (blockingSecrets) Get(ctx context.Context, key string) (string, error) {
	<-ctx.Done()
	return "", apperr.Wrap(ctx.Err(), apperr.CodeKeychain, "Structura could not reach the system keychain.", "Unlock it.")
}
func (b blockingSecrets) Set(ctx context.Context, key, value string) error {
	_, err := b.Get(ctx, key)
	return err
}
func (b blockingSecrets) Delete(ctx context.Context, key string) error { return b.Set(ctx, key, "") }

func TestKeychainFailureSavesNothing(t *testing.T) {
	e := newEnv(t)
	g := e.group("G")
	svc := New(e.st, blockingSecrets{}, e.clk, nil)
	before := e.counts()
	ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
	defer cancel()
	in := person("Jane", "Citizen")
	in.TFN = ptr("123456782")
	if _, err := svc.CreateEntity(ctx, g.ID, in); apperr.CodeOf(err) != apperr.CodeKeychain {
		t.Fatalf("err = %v", err)
	}
	if after := e.counts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("saved despite keychain failure: %v -> %v", before, after)
	}
	// Without a TFN the keychain is not needed.
	if _, err := svc.CreateEntity(e.ctx, g.ID, person("Jane", "Citizen")); err != nil {
		t.Fatal(err)
	}
}

func TestGroupDetailAndDelete(t *testing.T) {
	e := newEnv(t)
	fam := e.group("Citizen Family")
	other := e.group("Other Group")
	jane := e.entity(fam.ID, person("Jane", "Citizen"))
	trust := e.entity(fam.ID, model.EntityInput{Kind: model.KindTrust, TrustType: model.TrustDiscretionary, LegalName: "Citizen Family Trust"})
	shared := e.entity(fam.ID, org(model.KindCompany, "Shared Trustee Pty Ltd"))
	if err := e.svc.AddMember(e.ctx, other.ID, shared.ID); err != nil {
		t.Fatal(err)
	}
	outsider := e.entity(other.ID, person("Olive", "Outsider"))
	e.rel(model.RelationshipInput{FromID: shared.ID, ToID: trust.ID, Type: "trustee"})
	e.rel(model.RelationshipInput{FromID: jane.ID, ToID: trust.ID, Type: "appointor"})
	e.rel(model.RelationshipInput{FromID: outsider.ID, ToID: trust.ID, Type: "beneficiary"})
	e.rel(model.RelationshipInput{FromID: outsider.ID, ToID: shared.ID, Type: "director"})
	e.rawExec(fmt.Sprintf(`INSERT INTO group_link (group_id, xpm_group_uuid, tenant_id, linked_at) VALUES (%d, 'uuid-1', 't', '')`, fam.ID))

	d, err := e.svc.GetGroup(e.ctx, fam.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range d.Entities {
		names = append(names, x.DisplayName)
	}
	if strings.Join(names, ",") != "Citizen Family Trust,Jane Citizen,Shared Trustee Pty Ltd" || d.Entities[0].TrustType != model.TrustDiscretionary {
		t.Fatalf("members %v", names)
	}
	if len(d.Relationships) != 4 || len(d.External) != 1 || d.External[0].ID != outsider.ID || !d.Linked {
		t.Fatalf("detail: %d rels, external %+v, linked %v", len(d.Relationships), d.External, d.Linked)
	}
	gs, _ := e.svc.ListGroups(e.ctx, "")
	if len(gs) != 2 || gs[0].Name != "Citizen Family" || gs[0].EntityCount != 3 || gs[0].RelationshipCount != 4 || !gs[0].Linked || gs[1].Linked {
		t.Fatalf("summaries %+v", gs)
	}
	if gs, _ := e.svc.ListGroups(e.ctx, "olive"); len(gs) != 1 || gs[0].ID != other.ID {
		t.Fatalf("search by member: %+v", gs)
	}

	p, err := e.svc.DeleteGroupPreview(e.ctx, fam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.OrphanEntities) != 2 || len(p.SharedEntities) != 1 || p.SharedEntities[0].ID != shared.ID ||
		p.OrphanRelationshipCount != 3 || !p.Linked || p.XPMGroupUUID != "uuid-1" || p.GroupName != "Citizen Family" {
		t.Fatalf("preview %+v", p)
	}
	if err := e.svc.DeleteGroup(e.ctx, fam.ID, true); err != nil {
		t.Fatal(err)
	}
	c := e.counts()
	// Left: Other Group with shared + outsider, and the director relationship.
	if c["entity_group"] != 1 || c["entity"] != 2 || c["relationship"] != 1 || c["group_member"] != 2 {
		t.Fatalf("after delete with orphans: %v", c)
	}
	if _, err := e.svc.GetGroup(e.ctx, fam.ID); apperr.CodeOf(err) != apperr.CodeNotFound {
		t.Fatalf("deleted group: %v", err)
	}

	// Without orphans: entities stay, ungrouped.
	g3 := e.group("Third")
	lone := e.entity(g3.ID, person("Lone", "Member"))
	if err := e.svc.DeleteGroup(e.ctx, g3.ID, false); err != nil {
		t.Fatal(err)
	}
	if x, err := e.svc.GetEntity(e.ctx, lone.ID); err != nil || x.DisplayName != "Lone Member" {
		t.Fatalf("kept entity: %+v %v", x, err)
	}
	if es, _ := e.svc.ListEntities(e.ctx, "lone"); len(es) != 1 {
		t.Fatalf("ListEntities: %+v", es)
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	for name, err := range map[string]error{
		"get group":     func() error { _, err := e.svc.GetGroup(e.ctx, 42); return err }(),
		"update group":  func() error { _, err := e.svc.UpdateGroup(e.ctx, 42, "x", ""); return err }(),
		"delete group":  e.svc.DeleteGroup(e.ctx, 42, true),
		"create in":     func() error { _, err := e.svc.CreateEntity(e.ctx, 42, person("a", "b")); return err }(),
		"update entity": func() error { _, err := e.svc.UpdateEntity(e.ctx, 42, person("a", "b")); return err }(),
		"delete entity": e.svc.DeleteEntity(e.ctx, 42),
		"add member":    e.svc.AddMember(e.ctx, 42, 43),
		"delete rel":    e.svc.DeleteRelationship(e.ctx, 42),
	} {
		if apperr.CodeOf(err) != apperr.CodeNotFound {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestConcurrentWritesAllLand(t *testing.T) {
	e := newEnv(t)
	g := e.group("G")
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := e.svc.CreateEntity(e.ctx, g.ID, person(fmt.Sprint("P", i), "X")); err != nil {
				errs <- err
			}
			if _, err := e.svc.ListGroups(e.ctx, ""); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if c := e.counts(); c["entity"] != 40 || c["group_member"] != 40 {
		t.Fatalf("%v", c)
	}
}

func BenchmarkCreateEntity(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "s.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := New(st, secrets.NewMemory(), clock.Real{}, nil)
	g, _ := svc.CreateGroup(ctx, "Bench", "")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.CreateEntity(ctx, g.ID, model.EntityInput{Kind: model.KindCompany, LegalName: "Bench Pty Ltd", ABN: "51824753556"}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestOnChangeFiresAfterCommitOnly(t *testing.T) {
	e := newEnv(t)
	n := 0
	e.svc.OnChange(func() { n++ })
	g := e.group("G")
	if n != 1 {
		t.Fatalf("after create: %d", n)
	}
	if _, err := e.svc.CreateEntity(e.ctx, g.ID, person("", "")); err == nil {
		t.Fatal("accepted a nameless person")
	}
	if err := e.svc.DeleteEntity(e.ctx, 999); err == nil {
		t.Fatal("deleted a missing entity")
	}
	if n != 1 {
		t.Fatalf("refused changes notified: %d", n)
	}
	e.entity(g.ID, person("A", "B"))
	if n != 2 {
		t.Fatalf("after entity: %d", n)
	}
}

// A group's "last changed" moves when a member's details or relationships
// change, not only when the group itself is renamed.
func TestGroupSummaryLastChangedFollowsMembers(t *testing.T) {
	e := newEnv(t)
	g := e.group("Nguyen Family Group")
	at := func() time.Time {
		gs, err := e.svc.ListGroups(e.ctx, "")
		if err != nil || len(gs) != 1 {
			t.Fatalf("%+v %v", gs, err)
		}
		return gs[0].LastChangedAt
	}
	if !at().Equal(g.UpdatedAt) {
		t.Fatalf("new group: %v, want %v", at(), g.UpdatedAt)
	}
	e.clk.Advance(time.Hour)
	minh, err := e.svc.CreateEntity(e.ctx, g.ID, person("Minh", "Nguyen"))
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clk.Now(); !at().Equal(want) {
		t.Fatalf("after adding a member: %v, want %v", at(), want)
	}
	co, err := e.svc.CreateEntity(e.ctx, g.ID, org(model.KindCompany, "Nguyen Holdings Pty Ltd"))
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Hour)
	e.rel(model.RelationshipInput{FromID: minh.ID, ToID: co.ID, Type: "director"})
	if want := e.clk.Now(); !at().Equal(want) {
		t.Fatalf("after a relationship: %v, want %v", at(), want)
	}
	e.clk.Advance(time.Hour)
	in := person("Minh", "Nguyen")
	in.Phone = "0400 111 222"
	if _, err := e.svc.UpdateEntity(e.ctx, minh.ID, in); err != nil {
		t.Fatal(err)
	}
	if want := e.clk.Now(); !at().Equal(want) {
		t.Fatalf("after editing a member: %v, want %v", at(), want)
	}
}
