package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Connection states (xpm_connection.status).
const (
	ConnConnected       = "connected"
	ConnReconnectNeeded = "reconnect_needed"
	ConnDisconnected    = "disconnected"
)

// ---- settings ----

// Setting returns the value of a setting and whether it is set.
func (t *Tx) Setting(ctx context.Context, key string) (string, bool, error) {
	var v string
	err := t.tx.QueryRowContext(ctx, `SELECT value FROM app_setting WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return v, err == nil, err
}

// SetSetting stores a setting (never a secret).
func (t *Tx) SetSetting(ctx context.Context, key, value string, now time.Time) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO app_setting (key, value, updated_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, fmtTime(now))
	return err
}

// DeleteSetting removes a setting (back to its default).
func (t *Tx) DeleteSetting(ctx context.Context, key string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM app_setting WHERE key = ?`, key)
	return err
}

// ---- XPM connection ----

// XPMConnection is a row of xpm_connection: what Structura knows about a
// connection, never its tokens (those live in the OS keychain).
type XPMConnection struct {
	TenantID       string
	TenantName     string
	TenantType     string
	ConnectionID   string // identity /connections id
	APIBaseURL     string
	Scopes         string // space-separated, as granted
	ConnectedBy    string // name from the id token
	ConnectedEmail string // email from the id token
	ConnectedAt    time.Time
	DisconnectedAt time.Time // zero while connected
	Status         string    // ConnConnected, ConnReconnectNeeded, ConnDisconnected
	StatusReason   string
	Environment    string // "sandbox" or "xero"
	ClientID       string
	UpdatedAt      time.Time
}

const connCols = `tenant_id, tenant_name, tenant_type, connection_id, api_base_url, scopes, connected_by,
connected_email, connected_at, disconnected_at, status, status_reason, environment, client_id, updated_at`

func scanConn(sc interface{ Scan(...any) error }) (XPMConnection, error) {
	var c XPMConnection
	var ca, da, ua string
	if err := sc.Scan(&c.TenantID, &c.TenantName, &c.TenantType, &c.ConnectionID, &c.APIBaseURL, &c.Scopes,
		&c.ConnectedBy, &c.ConnectedEmail, &ca, &da, &c.Status, &c.StatusReason, &c.Environment, &c.ClientID, &ua); err != nil {
		return c, err
	}
	var err error
	if c.ConnectedAt, err = parseTime(ca); err != nil {
		return c, err
	}
	if c.DisconnectedAt, err = parseTime(da); err != nil {
		return c, err
	}
	c.UpdatedAt, err = parseTime(ua)
	return c, err
}

// CurrentConnection returns the connection that is not disconnected
// (connected or waiting for a reconnect), if any.
func (t *Tx) CurrentConnection(ctx context.Context) (XPMConnection, bool, error) {
	c, err := scanConn(t.tx.QueryRowContext(ctx, `SELECT `+connCols+` FROM xpm_connection WHERE status <> 'disconnected'`))
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// Connection returns the row of a tenant, whatever its status.
func (t *Tx) Connection(ctx context.Context, tenantID string) (XPMConnection, bool, error) {
	c, err := scanConn(t.tx.QueryRowContext(ctx, `SELECT `+connCols+` FROM xpm_connection WHERE tenant_id = ?`, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// Connections lists every connection row, most recently updated first.
func (t *Tx) Connections(ctx context.Context) ([]XPMConnection, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+connCols+` FROM xpm_connection ORDER BY updated_at DESC, tenant_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []XPMConnection{}
	for rows.Next() {
		c, err := scanConn(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutConnection inserts or replaces the row of c.TenantID. Links are not
// touched: they refer to the tenant id, so a reconnect to the same practice
// makes its links active again.
func (t *Tx) PutConnection(ctx context.Context, c XPMConnection) error {
	da := ""
	if !c.DisconnectedAt.IsZero() {
		da = fmtTime(c.DisconnectedAt)
	}
	_, err := t.tx.ExecContext(ctx, `INSERT INTO xpm_connection (`+connCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT (tenant_id) DO UPDATE SET tenant_name = excluded.tenant_name, tenant_type = excluded.tenant_type,
  connection_id = excluded.connection_id, api_base_url = excluded.api_base_url, scopes = excluded.scopes,
  connected_by = excluded.connected_by, connected_email = excluded.connected_email, connected_at = excluded.connected_at,
  disconnected_at = excluded.disconnected_at, status = excluded.status, status_reason = excluded.status_reason,
  environment = excluded.environment, client_id = excluded.client_id, updated_at = excluded.updated_at`,
		c.TenantID, c.TenantName, c.TenantType, c.ConnectionID, c.APIBaseURL, c.Scopes, c.ConnectedBy, c.ConnectedEmail,
		fmtTime(c.ConnectedAt), da, c.Status, c.StatusReason, c.Environment, c.ClientID, fmtTime(c.UpdatedAt))
	return err
}

// SetConnectionStatus changes the status of a tenant's row. Disconnecting
// sets disconnected_at; any other status clears it.
func (t *Tx) SetConnectionStatus(ctx context.Context, tenantID, status, reason string, now time.Time) error {
	da := ""
	if status == ConnDisconnected {
		da = fmtTime(now)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE xpm_connection SET status = ?, status_reason = ?, disconnected_at = ?, updated_at = ?
WHERE tenant_id = ?`, status, reason, da, fmtTime(now), tenantID)
	return mustAffect(res, err, "XPM connection")
}

// LinkCounts counts the links of one practice.
type LinkCounts struct {
	TenantID      string `json:"tenantId"`
	Groups        int    `json:"groups"`
	Entities      int    `json:"entities"`
	Relationships int    `json:"relationships"`
}

// Total is the number of links of every kind.
func (c LinkCounts) Total() int { return c.Groups + c.Entities + c.Relationships }

// LinkCountsByTenant counts links per tenant (every tenant that has any).
func (t *Tx) LinkCountsByTenant(ctx context.Context) ([]LinkCounts, error) {
	rows, err := t.tx.QueryContext(ctx, `
SELECT tenant_id, sum(kind = 'g'), sum(kind = 'e'), sum(kind = 'r') FROM (
  SELECT tenant_id, 'g' AS kind FROM group_link
  UNION ALL SELECT tenant_id, 'e' FROM entity_link
  UNION ALL SELECT tenant_id, 'r' FROM relationship_link)
GROUP BY tenant_id ORDER BY tenant_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LinkCounts{}
	for rows.Next() {
		var c LinkCounts
		if err := rows.Scan(&c.TenantID, &c.Groups, &c.Entities, &c.Relationships); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ActiveLinkCounts counts the links of the current connection's practice
// (the active_*_link views); zero when not connected.
func (t *Tx) ActiveLinkCounts(ctx context.Context) (LinkCounts, error) {
	var c LinkCounts
	err := t.tx.QueryRowContext(ctx, `SELECT
  (SELECT count(*) FROM active_group_link), (SELECT count(*) FROM active_entity_link),
  (SELECT count(*) FROM active_relationship_link),
  coalesce((SELECT tenant_id FROM xpm_connection WHERE status <> 'disconnected'), '')`).
		Scan(&c.Groups, &c.Entities, &c.Relationships, &c.TenantID)
	return c, err
}

// ---- two-factor protection ----

// TwoFactorRow is the stored state of two-factor protection (never the
// seed, which lives in the keychain).
type TwoFactorRow struct {
	EnabledAt time.Time
	LastStep  int64
}

// RecoveryCode is a stored one-time recovery code hash.
type RecoveryCode struct {
	ID     int64
	Hash   string
	UsedAt time.Time // zero while unused
}

// TwoFactor returns the two-factor row, if protection is on.
func (t *Tx) TwoFactor(ctx context.Context) (TwoFactorRow, bool, error) {
	var r TwoFactorRow
	var ea string
	err := t.tx.QueryRowContext(ctx, `SELECT enabled_at, last_step FROM twofa WHERE id = 1`).Scan(&ea, &r.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.EnabledAt, err = parseTime(ea)
	return r, err == nil, err
}

// EnableTwoFactor records that protection is on, with its recovery code
// hashes, replacing any previous state.
func (t *Tx) EnableTwoFactor(ctx context.Context, now time.Time, lastStep int64, hashes []string) error {
	if err := t.DisableTwoFactor(ctx); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO twofa (id, enabled_at, last_step) VALUES (1, ?, ?)`, fmtTime(now), lastStep); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO twofa_recovery (hash) VALUES (?)`, h); err != nil {
			return err
		}
	}
	return nil
}

// DisableTwoFactor forgets protection and every recovery code.
func (t *Tx) DisableTwoFactor(ctx context.Context) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM twofa_recovery`); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `DELETE FROM twofa`)
	return err
}

// SetTwoFactorLastStep records the last accepted TOTP time step.
func (t *Tx) SetTwoFactorLastStep(ctx context.Context, step int64) error {
	res, err := t.tx.ExecContext(ctx, `UPDATE twofa SET last_step = ? WHERE id = 1`, step)
	return mustAffect(res, err, "two-factor setting")
}

// RecoveryCodes lists the recovery code hashes, used ones included.
func (t *Tx) RecoveryCodes(ctx context.Context) ([]RecoveryCode, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id, hash, used_at FROM twofa_recovery ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RecoveryCode{}
	for rows.Next() {
		var r RecoveryCode
		var ua string
		if err := rows.Scan(&r.ID, &r.Hash, &ua); err != nil {
			return nil, err
		}
		if r.UsedAt, err = parseTime(ua); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UseRecoveryCode marks a recovery code used; it reports false if it was
// already used.
func (t *Tx) UseRecoveryCode(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE twofa_recovery SET used_at = ? WHERE id = ? AND used_at = ''`, fmtTime(now), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
