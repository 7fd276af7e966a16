package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"structura/backend/apperr"
	"structura/backend/model"
)

// Tx is a transaction handed to WithTx or View callbacks. Its methods are
// plain data access: no validation.
type Tx struct {
	tx *sql.Tx
}

// likePattern turns a search string into a LIKE pattern ("" matches all).
func likePattern(q string) string {
	q = strings.TrimSpace(q)
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// digitsPattern is the LIKE pattern for searching ABN/ACN by digits, or ""
// (search skipped) if q has fewer than 3 digits.
func digitsPattern(q string) string {
	var b strings.Builder
	for _, r := range q {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 3 {
		return ""
	}
	return "%" + b.String() + "%"
}

// displayNameSQL mirrors model.DisplayName for ordering.
const displayNameSQL = `(CASE WHEN e.kind = 'individual' THEN trim(e.given_name || ' ' || e.family_name) ELSE e.legal_name END)`

// entityMatchSQL is a condition on alias e for search pattern ?2 / digits ?3.
const entityMatchSQL = `(trim(e.given_name || ' ' || e.family_name) LIKE ?2 ESCAPE '\' OR trim(e.family_name || ' ' || e.given_name) LIKE ?2 ESCAPE '\'
	OR e.legal_name LIKE ?2 ESCAPE '\' OR e.trading_name LIKE ?2 ESCAPE '\' OR e.email LIKE ?2 ESCAPE '\'
	OR (?3 <> '' AND (e.abn LIKE ?3 OR e.acn LIKE ?3)))`

// ---- groups ----

const groupCols = `g.id, g.name, g.notes, g.created_at, g.updated_at`

func scanGroup(sc interface{ Scan(...any) error }, extra ...any) (model.Group, error) {
	var g model.Group
	var ca, ua string
	if err := sc.Scan(append([]any{&g.ID, &g.Name, &g.Notes, &ca, &ua}, extra...)...); err != nil {
		return g, err
	}
	var err error
	if g.CreatedAt, err = parseTime(ca); err != nil {
		return g, err
	}
	g.UpdatedAt, err = parseTime(ua)
	return g, err
}

// ListGroupSummaries lists groups whose name, or a member's name, ABN or
// ACN, matches query ("" = all), by name.
func (t *Tx) ListGroupSummaries(ctx context.Context, query string) ([]model.GroupSummary, error) {
	rows, err := t.tx.QueryContext(ctx, `
SELECT `+groupCols+`,
  (SELECT count(*) FROM group_member m WHERE m.group_id = g.id),
  (SELECT count(*) FROM relationship r
     WHERE r.from_id IN (SELECT entity_id FROM group_member WHERE group_id = g.id)
        OR r.to_id   IN (SELECT entity_id FROM group_member WHERE group_id = g.id)),
  EXISTS (SELECT 1 FROM group_link l WHERE l.group_id = g.id),
  max(g.updated_at,
      coalesce((SELECT max(max(m.added_at, e.updated_at)) FROM group_member m JOIN entity e ON e.id = m.entity_id
                WHERE m.group_id = g.id), ''),
      coalesce((SELECT max(r.updated_at) FROM relationship r
                WHERE r.from_id IN (SELECT entity_id FROM group_member WHERE group_id = g.id)
                   OR r.to_id   IN (SELECT entity_id FROM group_member WHERE group_id = g.id)), ''))
FROM entity_group g
WHERE ?1 = '' OR g.name LIKE ?2 ESCAPE '\' OR EXISTS (
  SELECT 1 FROM group_member m JOIN entity e ON e.id = m.entity_id
  WHERE m.group_id = g.id AND `+entityMatchSQL+`)
ORDER BY g.name COLLATE NOCASE, g.id`, strings.TrimSpace(query), likePattern(query), digitsPattern(query))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.GroupSummary{}
	for rows.Next() {
		var s model.GroupSummary
		var last string
		g, err := scanGroup(rows, &s.EntityCount, &s.RelationshipCount, &s.Linked, &last)
		if err != nil {
			return nil, err
		}
		s.Group = g
		if s.LastChangedAt, err = parseTime(last); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Group returns one group or apperr NotFound.
func (t *Tx) Group(ctx context.Context, id int64) (model.Group, error) {
	g, err := scanGroup(t.tx.QueryRowContext(ctx, `SELECT `+groupCols+` FROM entity_group g WHERE g.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, apperr.NotFound("group")
	}
	return g, err
}

// InsertGroup creates a group; ID, CreatedAt and UpdatedAt are set from the
// returned row.
func (t *Tx) InsertGroup(ctx context.Context, name, notes string, now time.Time) (model.Group, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO entity_group (name, notes, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		name, notes, fmtTime(now), fmtTime(now))
	if err != nil {
		return model.Group{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return model.Group{}, err
	}
	return t.Group(ctx, id)
}

// UpdateGroup changes a group's name and notes.
func (t *Tx) UpdateGroup(ctx context.Context, id int64, name, notes string, now time.Time) (model.Group, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE entity_group SET name = ?, notes = ?, updated_at = ? WHERE id = ?`,
		name, notes, fmtTime(now), id)
	if err := mustAffect(res, err, "group"); err != nil {
		return model.Group{}, err
	}
	return t.Group(ctx, id)
}

// DeleteGroup deletes a group and its memberships. Its XPM link, if any,
// stays as a tombstone (group_id NULL) for reconciliation.
func (t *Tx) DeleteGroup(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM entity_group WHERE id = ?`, id)
	return mustAffect(res, err, "group")
}

// GroupLinkUUID returns the XPM group uuid linked to a group, "" if none.
func (t *Tx) GroupLinkUUID(ctx context.Context, groupID int64) (string, error) {
	var u string
	err := t.tx.QueryRowContext(ctx, `SELECT xpm_group_uuid FROM group_link WHERE group_id = ?`, groupID).Scan(&u)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return u, err
}

func mustAffect(res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.NotFound(what)
	}
	return nil
}

// ---- entities ----

const entityCols = `e.id, e.kind, e.trust_type, e.given_name, e.family_name, e.legal_name, e.trading_name,
	e.date_of_birth, e.abn, e.acn, e.email, e.phone, e.address, e.notes, e.tfn_last3, e.created_at, e.updated_at`

func scanEntity(sc interface{ Scan(...any) error }) (model.Entity, error) {
	var e model.Entity
	var kind, tt, ca, ua string
	err := sc.Scan(&e.ID, &kind, &tt, &e.GivenName, &e.FamilyName, &e.LegalName, &e.TradingName,
		&e.DateOfBirth, &e.ABN, &e.ACN, &e.Email, &e.Phone, &e.Address, &e.Notes, &e.TFNLast3, &ca, &ua)
	if err != nil {
		return e, err
	}
	e.Kind, e.TrustType = model.EntityKind(kind), model.TrustType(tt)
	e.DisplayName = model.DisplayName(e.Kind, e.GivenName, e.FamilyName, e.LegalName, e.TradingName)
	if e.CreatedAt, err = parseTime(ca); err != nil {
		return e, err
	}
	e.UpdatedAt, err = parseTime(ua)
	return e, err
}

func collectEntities(rows *sql.Rows, err error) ([]model.Entity, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.Entity{}
	for rows.Next() {
		e, err := scanEntity(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Entity returns one entity or apperr NotFound.
func (t *Tx) Entity(ctx context.Context, id int64) (model.Entity, error) {
	e, err := scanEntity(t.tx.QueryRowContext(ctx, `SELECT `+entityCols+` FROM entity e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFound("entity")
	}
	return e, err
}

// ListEntities lists entities matching query by name, email, ABN or ACN
// ("" = all), by display name, at most limit (0 = no limit).
func (t *Tx) ListEntities(ctx context.Context, query string, limit int) ([]model.Entity, error) {
	if limit <= 0 {
		limit = -1
	}
	return collectEntities(t.tx.QueryContext(ctx, `SELECT `+entityCols+` FROM entity e
WHERE ?1 = '' OR `+entityMatchSQL+`
ORDER BY `+displayNameSQL+` COLLATE NOCASE, e.id LIMIT ?4`,
		strings.TrimSpace(query), likePattern(query), digitsPattern(query), limit))
}

// GroupMembers lists a group's entities by display name.
func (t *Tx) GroupMembers(ctx context.Context, groupID int64) ([]model.Entity, error) {
	return collectEntities(t.tx.QueryContext(ctx, `SELECT `+entityCols+` FROM entity e
JOIN group_member m ON m.entity_id = e.id WHERE m.group_id = ?
ORDER BY `+displayNameSQL+` COLLATE NOCASE, e.id`, groupID))
}

// EntitiesByID returns the entities with the given ids (missing ids are
// skipped), by display name.
func (t *Tx) EntitiesByID(ctx context.Context, ids []int64) ([]model.Entity, error) {
	if len(ids) == 0 {
		return []model.Entity{}, nil
	}
	ph, args := inList(ids)
	return collectEntities(t.tx.QueryContext(ctx, `SELECT `+entityCols+` FROM entity e WHERE e.id IN (`+ph+`)
ORDER BY `+displayNameSQL+` COLLATE NOCASE, e.id`, args...))
}

func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// EntityRow is what InsertEntity and UpdateEntity write (everything but the
// TFN, which has its own methods).
type EntityRow struct {
	Kind                                                model.EntityKind
	TrustType                                           model.TrustType
	GivenName, FamilyName, LegalName, TradingName       string
	DateOfBirth, ABN, ACN, Email, Phone, Address, Notes string
}

// RowFromInput copies the stored fields of a normalised input.
func RowFromInput(in model.EntityInput) EntityRow {
	return EntityRow{
		Kind: in.Kind, TrustType: in.TrustType,
		GivenName: in.GivenName, FamilyName: in.FamilyName, LegalName: in.LegalName, TradingName: in.TradingName,
		DateOfBirth: in.DateOfBirth, ABN: in.ABN, ACN: in.ACN, Email: in.Email, Phone: in.Phone,
		Address: in.Address, Notes: in.Notes,
	}
}

// InsertEntity creates an entity and returns its id.
func (t *Tx) InsertEntity(ctx context.Context, r EntityRow, now time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO entity (kind, trust_type, given_name, family_name, legal_name, trading_name,
	date_of_birth, abn, acn, email, phone, address, notes, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.Kind), string(r.TrustType), r.GivenName, r.FamilyName, r.LegalName, r.TradingName,
		r.DateOfBirth, r.ABN, r.ACN, r.Email, r.Phone, r.Address, r.Notes, fmtTime(now), fmtTime(now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// UpdateEntity overwrites an entity's fields (not its TFN).
func (t *Tx) UpdateEntity(ctx context.Context, id int64, r EntityRow, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE entity SET kind = ?, trust_type = ?, given_name = ?, family_name = ?,
	legal_name = ?, trading_name = ?, date_of_birth = ?, abn = ?, acn = ?, email = ?, phone = ?, address = ?, notes = ?,
	updated_at = ? WHERE id = ?`,
		string(r.Kind), string(r.TrustType), r.GivenName, r.FamilyName, r.LegalName, r.TradingName,
		r.DateOfBirth, r.ABN, r.ACN, r.Email, r.Phone, r.Address, r.Notes, fmtTime(now), id)
	return mustAffect(res, err, "entity")
}

// DeleteEntity deletes an entity; its memberships and relationships go with
// it (foreign key cascades), its XPM links stay as tombstones.
func (t *Tx) DeleteEntity(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM entity WHERE id = ?`, id)
	return mustAffect(res, err, "entity")
}

// SetEntityTFN stores a TFN's ciphertext and last 3 digits; a nil cipher
// removes the TFN.
func (t *Tx) SetEntityTFN(ctx context.Context, id int64, cipher []byte, last3 string, now time.Time) error {
	var c any
	if cipher != nil {
		c = cipher
	} else {
		last3 = ""
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE entity SET tfn_cipher = ?, tfn_last3 = ?, updated_at = ? WHERE id = ?`,
		c, last3, fmtTime(now), id)
	return mustAffect(res, err, "entity")
}

// EntityTFNCipher returns the stored TFN ciphertext, nil if none.
func (t *Tx) EntityTFNCipher(ctx context.Context, id int64) ([]byte, error) {
	var c []byte
	err := t.tx.QueryRowContext(ctx, `SELECT tfn_cipher FROM entity WHERE id = ?`, id).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("entity")
	}
	return c, err
}

// CountTFNs counts entities with a stored TFN.
func (t *Tx) CountTFNs(ctx context.Context) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM entity WHERE tfn_cipher IS NOT NULL`).Scan(&n)
	return n, err
}

// EntityLinked reports whether an entity is linked to an XPM client.
func (t *Tx) EntityLinked(ctx context.Context, id int64) (bool, error) {
	var ok bool
	err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM entity_link WHERE entity_id = ?)`, id).Scan(&ok)
	return ok, err
}

// ---- membership ----

// AddMember adds an entity to a group; it reports false if it already was
// a member.
func (t *Tx) AddMember(ctx context.Context, groupID, entityID int64, now time.Time) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT OR IGNORE INTO group_member (group_id, entity_id, added_at) VALUES (?, ?, ?)`,
		groupID, entityID, fmtTime(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// RemoveMember removes an entity from a group; it reports false if it was
// not a member.
func (t *Tx) RemoveMember(ctx context.Context, groupID, entityID int64) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM group_member WHERE group_id = ? AND entity_id = ?`, groupID, entityID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// EntityGroupIDs lists the groups an entity belongs to.
func (t *Tx) EntityGroupIDs(ctx context.Context, entityID int64) ([]int64, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT group_id FROM group_member WHERE entity_id = ? ORDER BY group_id`, entityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ---- relationships ----

const relCols = `r.id, r.from_id, r.to_id, r.type, r.number_of_shares, r.percentage, r.start_date, r.end_date, r.notes, r.created_at, r.updated_at`

func scanRel(sc interface{ Scan(...any) error }) (model.Relationship, error) {
	var r model.Relationship
	var shares sql.NullInt64
	var pct sql.NullFloat64
	var ca, ua string
	if err := sc.Scan(&r.ID, &r.FromID, &r.ToID, &r.Type, &shares, &pct, &r.StartDate, &r.EndDate, &r.Notes, &ca, &ua); err != nil {
		return r, err
	}
	if shares.Valid {
		v := shares.Int64
		r.NumberOfShares = &v
	}
	if pct.Valid {
		v := pct.Float64
		r.Percentage = &v
	}
	var err error
	if r.CreatedAt, err = parseTime(ca); err != nil {
		return r, err
	}
	r.UpdatedAt, err = parseTime(ua)
	return r, err
}

func collectRels(rows *sql.Rows, err error) ([]model.Relationship, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.Relationship{}
	for rows.Next() {
		r, err := scanRel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Relationship returns one relationship or apperr NotFound.
func (t *Tx) Relationship(ctx context.Context, id int64) (model.Relationship, error) {
	r, err := scanRel(t.tx.QueryRowContext(ctx, `SELECT `+relCols+` FROM relationship r WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("relationship")
	}
	return r, err
}

// GroupRelationships lists every relationship touching a member of the group.
func (t *Tx) GroupRelationships(ctx context.Context, groupID int64) ([]model.Relationship, error) {
	return collectRels(t.tx.QueryContext(ctx, `SELECT `+relCols+` FROM relationship r
WHERE r.from_id IN (SELECT entity_id FROM group_member WHERE group_id = ?1)
   OR r.to_id   IN (SELECT entity_id FROM group_member WHERE group_id = ?1)
ORDER BY r.id`, groupID))
}

// EntityRelationships lists every relationship touching an entity.
func (t *Tx) EntityRelationships(ctx context.Context, entityID int64) ([]model.Relationship, error) {
	return collectRels(t.tx.QueryContext(ctx, `SELECT `+relCols+` FROM relationship r
WHERE r.from_id = ?1 OR r.to_id = ?1 ORDER BY r.id`, entityID))
}

// RelationshipsTo lists relationships of one type pointing at an entity.
func (t *Tx) RelationshipsTo(ctx context.Context, toID int64, typ string) ([]model.Relationship, error) {
	return collectRels(t.tx.QueryContext(ctx, `SELECT `+relCols+` FROM relationship r
WHERE r.to_id = ? AND r.type = ? ORDER BY r.id`, toID, typ))
}

// RelationshipsBetween lists relationships between two entities, in either
// direction.
func (t *Tx) RelationshipsBetween(ctx context.Context, a, b int64) ([]model.Relationship, error) {
	return collectRels(t.tx.QueryContext(ctx, `SELECT `+relCols+` FROM relationship r
WHERE (r.from_id = ?1 AND r.to_id = ?2) OR (r.from_id = ?2 AND r.to_id = ?1) ORDER BY r.id`, a, b))
}

func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// InsertRelationship creates a relationship and returns it.
func (t *Tx) InsertRelationship(ctx context.Context, in model.RelationshipInput, now time.Time) (model.Relationship, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO relationship (from_id, to_id, type, number_of_shares, percentage,
	start_date, end_date, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.FromID, in.ToID, in.Type, nullable(in.NumberOfShares), nullable(in.Percentage),
		in.StartDate, in.EndDate, in.Notes, fmtTime(now), fmtTime(now))
	if err != nil {
		return model.Relationship{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return model.Relationship{}, err
	}
	return t.Relationship(ctx, id)
}

// UpdateRelationship overwrites a relationship and returns it.
func (t *Tx) UpdateRelationship(ctx context.Context, id int64, in model.RelationshipInput, now time.Time) (model.Relationship, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE relationship SET from_id = ?, to_id = ?, type = ?, number_of_shares = ?,
	percentage = ?, start_date = ?, end_date = ?, notes = ?, updated_at = ? WHERE id = ?`,
		in.FromID, in.ToID, in.Type, nullable(in.NumberOfShares), nullable(in.Percentage),
		in.StartDate, in.EndDate, in.Notes, fmtTime(now), id)
	if err := mustAffect(res, err, "relationship"); err != nil {
		return model.Relationship{}, err
	}
	return t.Relationship(ctx, id)
}

// DeleteRelationship deletes one relationship (its XPM link stays as a
// tombstone).
func (t *Tx) DeleteRelationship(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM relationship WHERE id = ?`, id)
	return mustAffect(res, err, "relationship")
}

// ---- journal ----

// AppendJournal records one change and returns its id.
func (t *Tx) AppendJournal(ctx context.Context, e model.JournalEntry) (int64, error) {
	if e.Source != model.SourceLocal && e.Source != model.SourceSync {
		return 0, fmt.Errorf("journal: bad source %q", e.Source)
	}
	res, err := t.tx.ExecContext(ctx, `INSERT INTO journal (at, actor, source, action, object_type, object_id, summary,
	before_json, after_json, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		fmtTime(e.At), e.Actor, e.Source, e.Action, e.ObjectType, e.ObjectID, e.Summary,
		nullString(e.Before), nullString(e.After), nullable(e.JobID))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Journal returns the newest entries first, at most limit (0 = 100).
func (t *Tx) Journal(ctx context.Context, limit int) ([]model.JournalEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT id, at, actor, source, action, object_type, object_id, summary,
	coalesce(before_json, ''), coalesce(after_json, ''), job_id FROM journal ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.JournalEntry{}
	for rows.Next() {
		var e model.JournalEntry
		var at string
		var job sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Source, &e.Action, &e.ObjectType, &e.ObjectID, &e.Summary,
			&e.Before, &e.After, &job); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if job.Valid {
			v := job.Int64
			e.JobID = &v
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
