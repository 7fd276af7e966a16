-- 0002: room for XPM sync. Links between local rows and XPM records, the
-- base snapshot of each link (last state both sides agreed on), the XPM
-- connection (never its tokens: those live in the OS keychain), and jobs
-- that survive a restart. See docs/adr/0004 and 0005.

CREATE TABLE xpm_connection (
    tenant_id        TEXT PRIMARY KEY,
    tenant_name      TEXT NOT NULL DEFAULT '',
    tenant_type      TEXT NOT NULL DEFAULT '',
    connection_id    TEXT NOT NULL DEFAULT '',   -- identity /connections id
    api_base_url     TEXT NOT NULL DEFAULT '',
    scopes           TEXT NOT NULL DEFAULT '',   -- space-separated, as granted
    connected_by     TEXT NOT NULL DEFAULT '',   -- name or email from the id token
    connected_at     TEXT NOT NULL,
    disconnected_at  TEXT NOT NULL DEFAULT ''    -- '' while connected; links survive a disconnect
);

-- Each link is 1:1: a local row links to at most one XPM record and an XPM
-- record to at most one local row. XPM uuids are GUIDs, so uniqueness is
-- global, not per tenant. The local id becomes NULL (ON DELETE SET NULL) when
-- the local row is deleted, so reconciliation can still see "deleted here,
-- still in XPM" through the base snapshot; unlinking deletes the link row.
CREATE TABLE group_link (
    id                INTEGER PRIMARY KEY,
    group_id          INTEGER UNIQUE REFERENCES entity_group (id) ON DELETE SET NULL,
    xpm_group_uuid    TEXT NOT NULL UNIQUE CHECK (xpm_group_uuid <> ''),
    tenant_id         TEXT NOT NULL,
    linked_at         TEXT NOT NULL,
    base_json         TEXT,              -- base snapshot for three-way reconcile
    base_at           TEXT NOT NULL DEFAULT '',
    remote_seen_at    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE entity_link (
    id                INTEGER PRIMARY KEY,
    entity_id         INTEGER UNIQUE REFERENCES entity (id) ON DELETE SET NULL,
    xpm_client_uuid   TEXT NOT NULL UNIQUE CHECK (xpm_client_uuid <> ''),
    tenant_id         TEXT NOT NULL,
    linked_at         TEXT NOT NULL,
    base_json         TEXT,
    base_at           TEXT NOT NULL DEFAULT '',
    remote_seen_at    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE relationship_link (
    id                     INTEGER PRIMARY KEY,
    relationship_id        INTEGER UNIQUE REFERENCES relationship (id) ON DELETE SET NULL,
    xpm_relationship_uuid  TEXT NOT NULL UNIQUE CHECK (xpm_relationship_uuid <> ''),
    tenant_id              TEXT NOT NULL,
    linked_at              TEXT NOT NULL,
    base_json              TEXT,
    base_at                TEXT NOT NULL DEFAULT '',
    remote_seen_at         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE job (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('queued','running','paused','succeeded','failed','canceled')),
    params_json    TEXT NOT NULL DEFAULT '{}',
    progress_json  TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    error          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_state ON job (state);

-- Changes made by a sync job point at it.
ALTER TABLE journal ADD COLUMN job_id INTEGER REFERENCES job (id) ON DELETE SET NULL;
