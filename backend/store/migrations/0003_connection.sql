-- 0003: connecting to XPM (issue 6). Settings, the connection's status,
-- two-factor protection (recovery code hashes only: the TOTP seed lives in
-- the OS keychain), and views of the links that belong to the practice
-- Structura is connected to. No token, secret or seed is ever stored here.
-- See docs/adr/0011 to 0014 and docs/connection.md.

-- Plain settings (environment, client id, callback port, idle lock hours…).
-- Secrets never go here: the client secret lives in the keychain.
CREATE TABLE app_setting (
    key         TEXT PRIMARY KEY CHECK (key <> ''),
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) WITHOUT ROWID;

-- A connection row outlives a disconnect (status 'disconnected'), so parked
-- links can still name the practice they belong to.
ALTER TABLE xpm_connection ADD COLUMN status TEXT NOT NULL DEFAULT 'connected'
    CHECK (status IN ('connected','reconnect_needed','disconnected'));
ALTER TABLE xpm_connection ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE xpm_connection ADD COLUMN environment TEXT NOT NULL DEFAULT ''; -- 'sandbox' or 'xero'
ALTER TABLE xpm_connection ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
ALTER TABLE xpm_connection ADD COLUMN connected_email TEXT NOT NULL DEFAULT '';
ALTER TABLE xpm_connection ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE xpm_connection SET status = 'disconnected' WHERE disconnected_at <> '';

-- At most one current (not disconnected) connection.
CREATE UNIQUE INDEX xpm_connection_current ON xpm_connection ((status <> 'disconnected'))
    WHERE status <> 'disconnected';

CREATE INDEX group_link_tenant ON group_link (tenant_id);
CREATE INDEX entity_link_tenant ON entity_link (tenant_id);
CREATE INDEX relationship_link_tenant ON relationship_link (tenant_id);

-- Active links: those of the practice Structura is connected to (also while
-- it waits for a reconnect). Links of any other practice are parked: kept,
-- never used, never attached to another practice.
CREATE VIEW active_group_link AS
    SELECT l.* FROM group_link l
    JOIN xpm_connection c ON c.tenant_id = l.tenant_id AND c.status <> 'disconnected';
CREATE VIEW active_entity_link AS
    SELECT l.* FROM entity_link l
    JOIN xpm_connection c ON c.tenant_id = l.tenant_id AND c.status <> 'disconnected';
CREATE VIEW active_relationship_link AS
    SELECT l.* FROM relationship_link l
    JOIN xpm_connection c ON c.tenant_id = l.tenant_id AND c.status <> 'disconnected';

-- Two-factor protection: one row while it is on. last_step is the last
-- accepted TOTP time step (a code is never accepted twice).
CREATE TABLE twofa (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    enabled_at  TEXT NOT NULL,
    last_step   INTEGER NOT NULL DEFAULT 0
);

-- One-time recovery codes, as argon2id hashes (PHC string), never in clear.
CREATE TABLE twofa_recovery (
    id       INTEGER PRIMARY KEY,
    hash     TEXT NOT NULL CHECK (hash LIKE '$argon2id$%'),
    used_at  TEXT NOT NULL DEFAULT ''
);
