package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// GroupLink is a row of group_link with the linked local group's name.
type GroupLink struct {
	ID int64
	// GroupID is the local group; nil for a tombstone (the local group was
	// deleted and the link kept for reconciliation).
	GroupID      *int64
	GroupName    string // "" for a tombstone
	XPMGroupUUID string
	TenantID     string
	LinkedAt     time.Time
	HasBase      bool // a base snapshot is stored
	BaseAt       time.Time
	RemoteSeenAt time.Time
	LastPulledAt time.Time
}

const groupLinkCols = `l.id, l.group_id, coalesce(g.name, ''), l.xpm_group_uuid, l.tenant_id, l.linked_at,
	l.base_json IS NOT NULL, l.base_at, l.remote_seen_at, l.last_pulled_at`

const groupLinkFrom = ` FROM group_link l LEFT JOIN entity_group g ON g.id = l.group_id`

func scanGroupLink(sc interface{ Scan(...any) error }) (GroupLink, error) {
	var l GroupLink
	var gid sql.NullInt64
	var la, ba, rs, lp string
	if err := sc.Scan(&l.ID, &gid, &l.GroupName, &l.XPMGroupUUID, &l.TenantID, &la, &l.HasBase, &ba, &rs, &lp); err != nil {
		return l, err
	}
	if gid.Valid {
		v := gid.Int64
		l.GroupID = &v
	}
	var err error
	for _, p := range []struct {
		dst *time.Time
		s   string
	}{{&l.LinkedAt, la}, {&l.BaseAt, ba}, {&l.RemoteSeenAt, rs}, {&l.LastPulledAt, lp}} {
		if *p.dst, err = parseTime(p.s); err != nil {
			return l, err
		}
	}
	return l, nil
}

func (t *Tx) oneGroupLink(ctx context.Context, where string, arg any) (GroupLink, bool, error) {
	l, err := scanGroupLink(t.tx.QueryRowContext(ctx, `SELECT `+groupLinkCols+groupLinkFrom+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}

// GroupLinkByUUID returns the link of an XPM group (a tombstone included);
// ok is false if it has none.
func (t *Tx) GroupLinkByUUID(ctx context.Context, xpmGroupUUID string) (GroupLink, bool, error) {
	return t.oneGroupLink(ctx, `l.xpm_group_uuid = ?`, xpmGroupUUID)
}

// GroupLinkByGroup returns the link of a local group; ok is false if it has
// none.
func (t *Tx) GroupLinkByGroup(ctx context.Context, groupID int64) (GroupLink, bool, error) {
	return t.oneGroupLink(ctx, `l.group_id = ?`, groupID)
}

// GroupLinks lists every group link (tombstones and other practices'
// links included), oldest first.
func (t *Tx) GroupLinks(ctx context.Context) ([]GroupLink, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+groupLinkCols+groupLinkFrom+` ORDER BY l.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []GroupLink{}
	for rows.Next() {
		l, err := scanGroupLink(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// InsertGroupLink links a local group to an XPM group and returns the link
// id. The UNIQUE constraints on both columns refuse a second link of either
// side (see IsUniqueViolation).
func (t *Tx) InsertGroupLink(ctx context.Context, groupID int64, xpmGroupUUID, tenantID string, now time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO group_link (group_id, xpm_group_uuid, tenant_id, linked_at, remote_seen_at)
VALUES (?, ?, ?, ?, ?)`, groupID, xpmGroupUUID, tenantID, fmtTime(now), fmtTime(now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// DeleteGroupLink deletes one link row, and with it its base snapshot.
// Nothing else is touched.
func (t *Tx) DeleteGroupLink(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM group_link WHERE id = ?`, id)
	return mustAffect(res, err, "link")
}

// SetGroupLinkRemoteSeen records when the linked XPM group was last read.
func (t *Tx) SetGroupLinkRemoteSeen(ctx context.Context, id int64, at time.Time) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE group_link SET remote_seen_at = ? WHERE id = ?`, fmtTime(at), id)
	return mustAffect(res, err, "link")
}

// IsUniqueViolation reports whether err is SQLite refusing a row that breaks
// a UNIQUE or PRIMARY KEY constraint.
func IsUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// UnlinkedGroups lists the local groups that have no XPM link (of any
// practice), by name.
func (t *Tx) UnlinkedGroups(ctx context.Context) ([]LocalGroupRef, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT g.id, g.name,
  (SELECT count(*) FROM group_member m WHERE m.group_id = g.id)
FROM entity_group g WHERE NOT EXISTS (SELECT 1 FROM group_link l WHERE l.group_id = g.id)
ORDER BY g.name COLLATE NOCASE, g.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LocalGroupRef{}
	for rows.Next() {
		var r LocalGroupRef
		if err := rows.Scan(&r.ID, &r.Name, &r.EntityCount); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// LocalGroupRef names a local group.
type LocalGroupRef struct {
	ID          int64
	Name        string
	EntityCount int
}

// ---- entity links ----

// InsertEntityLink links a local entity to an XPM client and returns the
// link id (UNIQUE on both sides, like group links).
func (t *Tx) InsertEntityLink(ctx context.Context, entityID int64, xpmClientUUID, tenantID string, now time.Time) (int64, error) {
	res, err := t.tx.ExecContext(ctx, `INSERT INTO entity_link (entity_id, xpm_client_uuid, tenant_id, linked_at, remote_seen_at)
VALUES (?, ?, ?, ?, ?)`, entityID, xpmClientUUID, tenantID, fmtTime(now), fmtTime(now))
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// MemberLink is a member of a local group with its XPM client link, if any.
type MemberLink struct {
	EntityID      int64
	XPMClientUUID string // "" when the entity is not linked
	TenantID      string // the practice of the link
}

// GroupMemberLinks lists a group's members with their XPM client links, in
// the order of GroupMembers (by display name).
func (t *Tx) GroupMemberLinks(ctx context.Context, groupID int64) ([]MemberLink, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT e.id, coalesce(l.xpm_client_uuid, ''), coalesce(l.tenant_id, '')
FROM entity e JOIN group_member m ON m.entity_id = e.id
LEFT JOIN entity_link l ON l.entity_id = e.id
WHERE m.group_id = ? ORDER BY `+displayNameSQL+` COLLATE NOCASE, e.id`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []MemberLink{}
	for rows.Next() {
		var m MemberLink
		if err := rows.Scan(&m.EntityID, &m.XPMClientUUID, &m.TenantID); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
