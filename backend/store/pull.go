package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"structura/backend/apperr"
	"structura/backend/model"
)

// Pull states (pull.state).
const (
	PullReading   = "reading"
	PullReview    = "review"
	PullApplying  = "applying"
	PullApplied   = "applied"
	PullCanceled  = "canceled"
	PullFailed    = "failed"
	PullDiscarded = "discarded"
)

// PullRow is a row of pull: one pull of linked XPM groups (issue 8). The
// JSON columns belong to backend/pull.
type PullRow struct {
	ID            int64
	TenantID      string
	State         string
	Request       string
	ReadPlan      string
	Read          string
	Decisions     string
	Summary       string
	Result        string
	ReadJobID     *int64
	ApplyJobID    *int64
	ReadStartedAt time.Time
	Error         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const pullCols = `id, tenant_id, state, request_json, read_plan_json, read_json, decisions_json, summary_json, result_json,
	read_job_id, apply_job_id, read_started_at, error, created_at, updated_at`

func scanPull(sc interface{ Scan(...any) error }) (PullRow, error) {
	var p PullRow
	var rj, aj sql.NullInt64
	var rs, ca, ua string
	if err := sc.Scan(&p.ID, &p.TenantID, &p.State, &p.Request, &p.ReadPlan, &p.Read, &p.Decisions, &p.Summary, &p.Result,
		&rj, &aj, &rs, &p.Error, &ca, &ua); err != nil {
		return p, err
	}
	if rj.Valid {
		v := rj.Int64
		p.ReadJobID = &v
	}
	if aj.Valid {
		v := aj.Int64
		p.ApplyJobID = &v
	}
	var err error
	for _, x := range []struct {
		dst *time.Time
		s   string
	}{{&p.ReadStartedAt, rs}, {&p.CreatedAt, ca}, {&p.UpdatedAt, ua}} {
		if *x.dst, err = parseTime(x.s); err != nil {
			return p, err
		}
	}
	return p, nil
}

func jsonOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func optTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtTime(t)
}

// InsertPull records a new pull and returns its id.
func (t *Tx) InsertPull(ctx context.Context, p PullRow, now time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO pull (tenant_id, state, request_json, read_plan_json, read_json, decisions_json,
	summary_json, result_json, read_job_id, apply_job_id, read_started_at, error, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.TenantID, p.State, jsonOr(p.Request, "{}"), jsonOr(p.ReadPlan, "{}"), jsonOr(p.Read, "{}"), jsonOr(p.Decisions, "{}"),
		jsonOr(p.Summary, "{}"), jsonOr(p.Result, "{}"), nullable(p.ReadJobID), nullable(p.ApplyJobID), optTime(p.ReadStartedAt),
		p.Error, fmtTime(now), fmtTime(now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// UpdatePull writes every mutable column of a pull.
func (t *Tx) UpdatePull(ctx context.Context, p PullRow, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE pull SET state = ?, request_json = ?, read_plan_json = ?, read_json = ?,
	decisions_json = ?, summary_json = ?, result_json = ?, read_job_id = ?, apply_job_id = ?, read_started_at = ?, error = ?,
	updated_at = ? WHERE id = ?`,
		p.State, jsonOr(p.Request, "{}"), jsonOr(p.ReadPlan, "{}"), jsonOr(p.Read, "{}"), jsonOr(p.Decisions, "{}"),
		jsonOr(p.Summary, "{}"), jsonOr(p.Result, "{}"), nullable(p.ReadJobID), nullable(p.ApplyJobID), optTime(p.ReadStartedAt),
		p.Error, fmtTime(now), p.ID)
	return mustAffect(res, err, "pull")
}

// Pull returns one pull or apperr NotFound.
func (t *Tx) Pull(ctx context.Context, id int64) (PullRow, error) {
	p, err := scanPull(t.tx.QueryRowContext(ctx, `SELECT `+pullCols+` FROM pull WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("pull")
	}
	return p, err
}

// Pulls lists pulls newest first: the open ones (reading, review,
// applying), then the others, at most limit (0 = 20).
func (t *Tx) Pulls(ctx context.Context, limit int) ([]PullRow, error) {
	if limit <= 0 {
		limit = 20
	}
	return collectPulls(t.tx.QueryContext(ctx, `SELECT `+pullCols+` FROM pull
ORDER BY state IN ('reading','review','applying') DESC, id DESC LIMIT ?`, limit))
}

// OpenPulls lists the pulls being read, waiting for review or being
// applied, oldest first.
func (t *Tx) OpenPulls(ctx context.Context) ([]PullRow, error) {
	return collectPulls(t.tx.QueryContext(ctx, `SELECT `+pullCols+` FROM pull
WHERE state IN ('reading','review','applying') ORDER BY id`))
}

func collectPulls(rows *sql.Rows, err error) ([]PullRow, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PullRow{}
	for rows.Next() {
		p, err := scanPull(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PullGroupRow is a row of pull_group.
type PullGroupRow struct {
	PullID    int64
	Position  int
	XPMUUID   string
	GroupID   *int64
	Name      string
	Members   []string
	ReadAt    time.Time
	Gone      bool
	Ops       string // "" until the pull is confirmed
	AppliedAt time.Time
	Result    string
}

// InsertPullGroup adds a group to a pull.
func (t *Tx) InsertPullGroup(ctx context.Context, g PullGroupRow) error {
	m, err := json.Marshal(nonNil(g.Members))
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO pull_group (pull_id, position, xpm_group_uuid, group_id, name, members_json)
VALUES (?, ?, ?, ?, ?, ?)`, g.PullID, g.Position, g.XPMUUID, nullable(g.GroupID), g.Name, string(m))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PullGroups lists a pull's groups in pull order. withOps loads the ops
// JSON too (it can be large).
func (t *Tx) PullGroups(ctx context.Context, pullID int64, withOps bool) ([]PullGroupRow, error) {
	ops := `''`
	if withOps {
		ops = `coalesce(ops_json, '')`
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT pull_id, position, xpm_group_uuid, group_id, name, members_json, read_at, gone,
	`+ops+`, applied_at, result_json FROM pull_group WHERE pull_id = ? ORDER BY position`, pullID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PullGroupRow{}
	for rows.Next() {
		var g PullGroupRow
		var gid sql.NullInt64
		var members, ra, aa string
		if err := rows.Scan(&g.PullID, &g.Position, &g.XPMUUID, &gid, &g.Name, &members, &ra, &g.Gone, &g.Ops, &aa, &g.Result); err != nil {
			return nil, err
		}
		if gid.Valid {
			v := gid.Int64
			g.GroupID = &v
		}
		if err := json.Unmarshal([]byte(members), &g.Members); err != nil {
			return nil, err
		}
		if g.ReadAt, err = parseTime(ra); err != nil {
			return nil, err
		}
		if g.AppliedAt, err = parseTime(aa); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// SetPullGroupRead records a group as read: its name and members, or that
// XPM no longer has it.
func (t *Tx) SetPullGroupRead(ctx context.Context, pullID int64, uuid, name string, members []string, gone bool, at time.Time) error {
	m, err := json.Marshal(nonNil(members))
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE pull_group SET name = ?, members_json = ?, gone = ?, read_at = ?
WHERE pull_id = ? AND xpm_group_uuid = ?`, name, string(m), gone, fmtTime(at), pullID, uuid)
	return mustAffect(res, err, "pull group")
}

// SetPullGroupOps stores the writes of a group ("" clears them).
func (t *Tx) SetPullGroupOps(ctx context.Context, pullID int64, uuid, ops string) error {
	var v any
	if ops != "" {
		v = ops
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE pull_group SET ops_json = ?, applied_at = '', result_json = '{}'
WHERE pull_id = ? AND xpm_group_uuid = ?`, v, pullID, uuid)
	return mustAffect(res, err, "pull group")
}

// SetPullGroupApplied marks a group applied, with what it did. Call it in
// the group's own transaction, so that "applied" and the writes commit
// together.
func (t *Tx) SetPullGroupApplied(ctx context.Context, pullID int64, uuid, result string, at time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE pull_group SET applied_at = ?, result_json = ? WHERE pull_id = ? AND xpm_group_uuid = ?`,
		fmtTime(at), jsonOr(result, "{}"), pullID, uuid)
	return mustAffect(res, err, "pull group")
}

// Sources of a pull's client records.
const (
	PullFromXPM  = "xpm"  // read from XPM by this pull
	PullFromBase = "base" // unchanged since the last pull: its base snapshot
)

// PutPullClient stores (or replaces) a client of a pull's snapshot; a
// non-empty missing records a uuid XPM no longer has; source is
// PullFromXPM or PullFromBase.
func (t *Tx) PutPullClient(ctx context.Context, pullID int64, uuid, clientJSON, missing, source string) error {
	if source == "" {
		source = PullFromXPM
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO pull_client (pull_id, uuid, json, missing, source) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (pull_id, uuid) DO UPDATE SET json = excluded.json, missing = excluded.missing, source = excluded.source`,
		pullID, uuid, clientJSON, missing, source)
	return err
}

// PullClientsFrom returns the uuids of a pull's snapshot that came from
// source.
func (t *Tx) PullClientsFrom(ctx context.Context, pullID int64, source string) (map[string]bool, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT uuid FROM pull_client WHERE pull_id = ? AND source = ? AND missing = ''`, pullID, source)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out[u] = true
	}
	return out, rows.Err()
}

// PullClients calls fn for every client of a pull's snapshot, by uuid.
func (t *Tx) PullClients(ctx context.Context, pullID int64, fn func(uuid, clientJSON, missing string) error) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT uuid, json, missing FROM pull_client WHERE pull_id = ? ORDER BY uuid`, pullID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u, j, m string
		if err := rows.Scan(&u, &j, &m); err != nil {
			return err
		}
		if err := fn(u, j, m); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PullClientUUIDs returns the uuids in a pull's snapshot.
func (t *Tx) PullClientUUIDs(ctx context.Context, pullID int64) (map[string]bool, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT uuid FROM pull_client WHERE pull_id = ?`, pullID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out[u] = true
	}
	return out, rows.Err()
}

// DeletePullClient removes one client from a pull's snapshot.
func (t *Tx) DeletePullClient(ctx context.Context, pullID int64, uuid string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM pull_client WHERE pull_id = ? AND uuid = ?`, pullID, uuid)
	return err
}

// DeletePullClients removes a pull's snapshot.
func (t *Tx) DeletePullClients(ctx context.Context, pullID int64) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM pull_client WHERE pull_id = ?`, pullID)
	return err
}

// ---- kind rules ----

// KindRuleRow is a saved answer for a business structure label.
type KindRuleRow struct {
	LabelKey  string
	Label     string
	Kind      model.EntityKind
	TrustType model.TrustType
	CreatedAt time.Time
}

// KindRules lists the saved kind rules by label.
func (t *Tx) KindRules(ctx context.Context) ([]KindRuleRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT label_key, label, kind, trust_type, created_at FROM pull_kind_rule ORDER BY label COLLATE NOCASE`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []KindRuleRow{}
	for rows.Next() {
		var r KindRuleRow
		var k, tt, ca string
		if err := rows.Scan(&r.LabelKey, &r.Label, &k, &tt, &ca); err != nil {
			return nil, err
		}
		r.Kind, r.TrustType = model.EntityKind(k), model.TrustType(tt)
		if r.CreatedAt, err = parseTime(ca); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutKindRule saves (or replaces) the rule for a label.
func (t *Tx) PutKindRule(ctx context.Context, r KindRuleRow, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO pull_kind_rule (label_key, label, kind, trust_type, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (label_key) DO UPDATE SET label = excluded.label, kind = excluded.kind, trust_type = excluded.trust_type,
  created_at = excluded.created_at`, r.LabelKey, r.Label, string(r.Kind), string(r.TrustType), fmtTime(now))
	return err
}

// DeleteKindRule removes a saved rule; removing one that does not exist
// is not an error.
func (t *Tx) DeleteKindRule(ctx context.Context, labelKey string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM pull_kind_rule WHERE label_key = ?`, labelKey)
	return err
}

// ---- links, as a pull reads and writes them ----

// LinkRow is a row of entity_link or relationship_link with its base
// snapshot.
type LinkRow struct {
	XPMUUID      string
	LocalID      int64 // 0: the local row was deleted (tombstone)
	TenantID     string
	Base         string // base_json, "" if none
	BaseAt       time.Time
	RemoteSeenAt time.Time
}

func (t *Tx) linkRows(ctx context.Context, q string) ([]LinkRow, error) {
	rows, err := t.tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LinkRow{}
	for rows.Next() {
		var l LinkRow
		var id sql.NullInt64
		var ba, rs string
		if err := rows.Scan(&l.XPMUUID, &id, &l.TenantID, &l.Base, &ba, &rs); err != nil {
			return nil, err
		}
		l.LocalID = id.Int64
		if l.BaseAt, err = parseTime(ba); err != nil {
			return nil, err
		}
		if l.RemoteSeenAt, err = parseTime(rs); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// linkTable names the columns of entity_link and relationship_link, which
// pulls read and write the same way.
type linkTable struct {
	table, localCol, uuidCol, what string
}

var (
	entityLinks       = linkTable{"entity_link", "entity_id", "xpm_client_uuid", "entity link"}
	relationshipLinks = linkTable{"relationship_link", "relationship_id", "xpm_relationship_uuid", "relationship link"}
)

func (t *Tx) rowsOf(ctx context.Context, l linkTable) ([]LinkRow, error) {
	return t.linkRows(ctx, `SELECT `+l.uuidCol+`, `+l.localCol+`, tenant_id, coalesce(base_json, ''), base_at, remote_seen_at
FROM `+l.table+` ORDER BY id`)
}

// putLink links a local row to an XPM record with a base snapshot,
// replacing the XPM record's earlier link row (a tombstone, or a link to the
// same local row). UNIQUE on the local id refuses a second XPM record for it.
func (t *Tx) putLink(ctx context.Context, l linkTable, xpmUUID string, localID int64, tenantID, base string, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO `+l.table+` (`+l.localCol+`, `+l.uuidCol+`, tenant_id, linked_at, base_json, base_at, remote_seen_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (`+l.uuidCol+`) DO UPDATE SET `+l.localCol+` = excluded.`+l.localCol+`, tenant_id = excluded.tenant_id,
  base_json = excluded.base_json, base_at = excluded.base_at, remote_seen_at = excluded.remote_seen_at,
  linked_at = CASE WHEN `+l.table+`.`+l.localCol+` IS excluded.`+l.localCol+` THEN `+l.table+`.linked_at ELSE excluded.linked_at END`,
		localID, xpmUUID, tenantID, fmtTime(now), nullString(base), fmtTime(now), fmtTime(now))
	return err
}

// setLinkBase replaces the base snapshot of a link.
func (t *Tx) setLinkBase(ctx context.Context, l linkTable, xpmUUID, base string, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE `+l.table+` SET base_json = ?, base_at = ?, remote_seen_at = ? WHERE `+l.uuidCol+` = ?`,
		nullString(base), fmtTime(now), fmtTime(now), xpmUUID)
	return mustAffect(res, err, l.what)
}

// EntityLinkRows lists every entity link (tombstones and other practices'
// links included) with its base snapshot.
func (t *Tx) EntityLinkRows(ctx context.Context) ([]LinkRow, error) {
	return t.rowsOf(ctx, entityLinks)
}

// RelationshipLinkRows lists every relationship link, as EntityLinkRows.
func (t *Tx) RelationshipLinkRows(ctx context.Context) ([]LinkRow, error) {
	return t.rowsOf(ctx, relationshipLinks)
}

// PutEntityLink links an entity to an XPM client with a base snapshot.
func (t *Tx) PutEntityLink(ctx context.Context, xpmUUID string, entityID int64, tenantID, base string, now time.Time) error {
	return t.putLink(ctx, entityLinks, xpmUUID, entityID, tenantID, base, now)
}

// SetEntityLinkBase replaces the base snapshot of an entity link.
func (t *Tx) SetEntityLinkBase(ctx context.Context, xpmUUID, base string, now time.Time) error {
	return t.setLinkBase(ctx, entityLinks, xpmUUID, base, now)
}

// PutRelationshipLink links a relationship to an XPM relationship with a
// base snapshot.
func (t *Tx) PutRelationshipLink(ctx context.Context, xpmUUID string, relID int64, tenantID, base string, now time.Time) error {
	return t.putLink(ctx, relationshipLinks, xpmUUID, relID, tenantID, base, now)
}

// SetRelationshipLinkBase replaces the base snapshot of a relationship link.
func (t *Tx) SetRelationshipLinkBase(ctx context.Context, xpmUUID, base string, now time.Time) error {
	return t.setLinkBase(ctx, relationshipLinks, xpmUUID, base, now)
}

// EntityIDForXPM returns the entity linked to an XPM client (0: none or a
// tombstone).
func (t *Tx) EntityIDForXPM(ctx context.Context, xpmUUID string) (int64, error) {
	var id sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT entity_id FROM entity_link WHERE xpm_client_uuid = ?`, xpmUUID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id.Int64, err
}

// GroupLinkForPull is a group link as a pull sees it.
type GroupLinkForPull struct {
	GroupID      int64 // 0: tombstone
	TenantID     string
	Base         string
	LastPulledAt time.Time
}

// GroupLinkForPull returns the link of an XPM group; ok is false if none.
func (t *Tx) GroupLinkForPull(ctx context.Context, xpmGroupUUID string) (GroupLinkForPull, bool, error) {
	var l GroupLinkForPull
	var gid sql.NullInt64
	var lp string
	err := t.tx.QueryRowContext(ctx, `SELECT group_id, tenant_id, coalesce(base_json, ''), last_pulled_at FROM group_link
WHERE xpm_group_uuid = ?`, xpmGroupUUID).Scan(&gid, &l.TenantID, &l.Base, &lp)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	if err != nil {
		return l, false, err
	}
	l.GroupID = gid.Int64
	l.LastPulledAt, err = parseTime(lp)
	return l, true, err
}

// SetGroupLinkPulled records a pull of a linked group: its base snapshot
// (the members as read) and when it was read.
func (t *Tx) SetGroupLinkPulled(ctx context.Context, xpmGroupUUID string, groupID int64, base string, readAt, now time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE group_link SET base_json = coalesce(?, base_json), base_at = CASE WHEN ? IS NULL THEN base_at ELSE ? END,
  remote_seen_at = ?, last_pulled_at = ? WHERE xpm_group_uuid = ? AND group_id = ?`,
		nullString(base), nullString(base), fmtTime(now), fmtTime(readAt), fmtTime(readAt), xpmGroupUUID, groupID)
	return mustAffect(res, err, "group link")
}

// AllRelationships lists every relationship.
func (t *Tx) AllRelationships(ctx context.Context) ([]model.Relationship, error) {
	return collectRels(t.tx.QueryContext(ctx, `SELECT `+relCols+` FROM relationship r ORDER BY r.id`))
}

// GroupMemberIDs lists the entity ids of a group's members.
func (t *Tx) GroupMemberIDs(ctx context.Context, groupID int64) ([]int64, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT entity_id FROM group_member WHERE group_id = ? ORDER BY entity_id`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// RelationshipIDForXPM returns the relationship linked to an XPM
// relationship (0: none or a tombstone).
func (t *Tx) RelationshipIDForXPM(ctx context.Context, xpmUUID string) (int64, error) {
	var id sql.NullInt64
	err := t.tx.QueryRowContext(ctx, `SELECT relationship_id FROM relationship_link WHERE xpm_relationship_uuid = ?`, xpmUUID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id.Int64, err
}

// GroupNames returns the name of every local group by id.
func (t *Tx) GroupNames(ctx context.Context) (map[int64]string, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, name FROM entity_group`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// PullGroupOps returns the writes of one group of a pull ("" if none).
func (t *Tx) PullGroupOps(ctx context.Context, pullID int64, uuid string) (string, error) {
	var ops sql.NullString
	err := t.tx.QueryRowContext(ctx, `SELECT ops_json FROM pull_group WHERE pull_id = ? AND xpm_group_uuid = ?`, pullID, uuid).Scan(&ops)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("pull group")
	}
	return ops.String, err
}
