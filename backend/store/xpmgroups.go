package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// XPMGroup is a row of the discovery cache (xpm_group): one XPM client group
// of one practice as Structura last saw it.
type XPMGroup struct {
	TenantID string
	UUID     string
	Name     string
	Taxable  string // "Yes", "No" or "" (unknown)
	WebURL   string
	// MemberCount is nil when the members were not counted.
	MemberCount *int
	// Members are the XPM client uuids, sorted.
	Members     []string
	FirstSeenAt time.Time
	LastSeenAt  time.Time
	// ChangedAt is when Structura first saw the current name and members
	// (XPM gives groups no modification date).
	ChangedAt time.Time
	// DeletedAt is when a discovery no longer found the group (zero while
	// XPM has it).
	DeletedAt time.Time
}

// Deleted reports whether the group was deleted in XPM.
func (g XPMGroup) Deleted() bool { return !g.DeletedAt.IsZero() }

const xpmGroupCols = `tenant_id, uuid, name, taxable, web_url, member_count, members_json, first_seen_at, last_seen_at, changed_at, deleted_at`

func scanXPMGroup(sc interface{ Scan(...any) error }) (XPMGroup, error) {
	var g XPMGroup
	var cnt sql.NullInt64
	var members, fs, ls, ch, del string
	if err := sc.Scan(&g.TenantID, &g.UUID, &g.Name, &g.Taxable, &g.WebURL, &cnt, &members, &fs, &ls, &ch, &del); err != nil {
		return g, err
	}
	if cnt.Valid {
		n := int(cnt.Int64)
		g.MemberCount = &n
	}
	if err := json.Unmarshal([]byte(members), &g.Members); err != nil {
		return g, err
	}
	if g.Members == nil {
		g.Members = []string{}
	}
	var err error
	for _, p := range []struct {
		dst *time.Time
		s   string
	}{{&g.FirstSeenAt, fs}, {&g.LastSeenAt, ls}, {&g.ChangedAt, ch}, {&g.DeletedAt, del}} {
		if *p.dst, err = parseTime(p.s); err != nil {
			return g, err
		}
	}
	return g, nil
}

// XPMGroups lists the cached groups of a practice, by name.
func (t *Tx) XPMGroups(ctx context.Context, tenantID string) ([]XPMGroup, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+xpmGroupCols+` FROM xpm_group WHERE tenant_id = ?
ORDER BY name COLLATE NOCASE, uuid`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []XPMGroup{}
	for rows.Next() {
		g, err := scanXPMGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// XPMGroup returns one cached group; ok is false if it is not in the cache.
func (t *Tx) XPMGroup(ctx context.Context, tenantID, uuid string) (g XPMGroup, ok bool, err error) {
	g, err = scanXPMGroup(t.tx.QueryRowContext(ctx, `SELECT `+xpmGroupCols+` FROM xpm_group WHERE tenant_id = ? AND uuid = ?`, tenantID, uuid))
	if errors.Is(err, sql.ErrNoRows) {
		return g, false, nil
	}
	return g, err == nil, err
}

// XPMGroupAnyTenant returns the cached group with this uuid in any practice
// (uuids are GUIDs), preferring one not deleted; ok is false if none.
func (t *Tx) XPMGroupAnyTenant(ctx context.Context, uuid string) (g XPMGroup, ok bool, err error) {
	g, err = scanXPMGroup(t.tx.QueryRowContext(ctx, `SELECT `+xpmGroupCols+` FROM xpm_group WHERE uuid = ?
ORDER BY deleted_at = '' DESC, last_seen_at DESC LIMIT 1`, uuid))
	if errors.Is(err, sql.ErrNoRows) {
		return g, false, nil
	}
	return g, err == nil, err
}

// PutXPMGroup inserts or replaces a cached group.
func (t *Tx) PutXPMGroup(ctx context.Context, g XPMGroup) error {
	members := g.Members
	if members == nil {
		members = []string{}
	}
	mj, err := json.Marshal(members)
	if err != nil {
		return err
	}
	var cnt any
	if g.MemberCount != nil {
		cnt = *g.MemberCount
	}
	del := ""
	if !g.DeletedAt.IsZero() {
		del = fmtTime(g.DeletedAt)
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO xpm_group (`+xpmGroupCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant_id, uuid) DO UPDATE SET name = excluded.name, taxable = excluded.taxable, web_url = excluded.web_url,
  member_count = excluded.member_count, members_json = excluded.members_json, first_seen_at = excluded.first_seen_at,
  last_seen_at = excluded.last_seen_at, changed_at = excluded.changed_at, deleted_at = excluded.deleted_at`,
		g.TenantID, g.UUID, g.Name, g.Taxable, g.WebURL, cnt, string(mj),
		fmtTime(g.FirstSeenAt), fmtTime(g.LastSeenAt), fmtTime(g.ChangedAt), del)
	return err
}

// Discovery records the last discovery of one practice.
type Discovery struct {
	TenantID     string
	TenantName   string
	DiscoveredAt time.Time
	GroupCount   int
	ClientCount  int
	Calls        int
	Bytes        int64
	Duration     time.Duration
}

const discoveryCols = `tenant_id, tenant_name, discovered_at, group_count, client_count, calls, bytes, duration_ms`

func scanDiscovery(sc interface{ Scan(...any) error }) (Discovery, error) {
	var d Discovery
	var at string
	var ms int64
	if err := sc.Scan(&d.TenantID, &d.TenantName, &at, &d.GroupCount, &d.ClientCount, &d.Calls, &d.Bytes, &ms); err != nil {
		return d, err
	}
	d.Duration = time.Duration(ms) * time.Millisecond
	var err error
	d.DiscoveredAt, err = parseTime(at)
	return d, err
}

// Discovery returns the last discovery of a practice; ok is false if it was
// never discovered.
func (t *Tx) Discovery(ctx context.Context, tenantID string) (d Discovery, ok bool, err error) {
	d, err = scanDiscovery(t.tx.QueryRowContext(ctx, `SELECT `+discoveryCols+` FROM xpm_discovery WHERE tenant_id = ?`, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

// LatestDiscovery returns the most recent discovery of any practice; ok is
// false if there was none.
func (t *Tx) LatestDiscovery(ctx context.Context) (d Discovery, ok bool, err error) {
	d, err = scanDiscovery(t.tx.QueryRowContext(ctx, `SELECT `+discoveryCols+` FROM xpm_discovery ORDER BY discovered_at DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

// PutDiscovery records a discovery of a practice (replacing the previous).
func (t *Tx) PutDiscovery(ctx context.Context, d Discovery) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO xpm_discovery (`+discoveryCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant_id) DO UPDATE SET tenant_name = excluded.tenant_name, discovered_at = excluded.discovered_at,
  group_count = excluded.group_count, client_count = excluded.client_count, calls = excluded.calls,
  bytes = excluded.bytes, duration_ms = excluded.duration_ms`,
		d.TenantID, d.TenantName, fmtTime(d.DiscoveredAt), d.GroupCount, d.ClientCount, d.Calls, d.Bytes, d.Duration.Milliseconds())
	return err
}
