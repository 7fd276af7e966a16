-- 0004: discovering XPM client groups (issue 7). A per-practice cache of the
-- XPM client groups, so the Import Groups screen opens at once and offline;
-- one row per practice saying when it was last discovered; and the time a
-- linked group was last pulled. See docs/adr/0020 to 0023 and
-- docs/sync-groups.md.

-- The discovery cache. A group that a later discovery no longer finds is
-- never dropped: deleted_at marks it "deleted in XPM" (a linked one keeps
-- its link until the user unlinks it). Rows of another practice stay parked.
CREATE TABLE xpm_group (
    tenant_id       TEXT NOT NULL CHECK (tenant_id <> ''),
    uuid            TEXT NOT NULL CHECK (uuid <> ''),
    name            TEXT NOT NULL DEFAULT '',
    taxable         TEXT NOT NULL DEFAULT '',        -- 'Yes', 'No' or '' (unknown)
    web_url         TEXT NOT NULL DEFAULT '',
    member_count    INTEGER CHECK (member_count IS NULL OR member_count >= 0),  -- NULL = not counted
    members_json    TEXT NOT NULL DEFAULT '[]',      -- sorted XPM client uuids
    first_seen_at   TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    changed_at      TEXT NOT NULL,                   -- when Structura first saw the current name and members
    deleted_at      TEXT NOT NULL DEFAULT '',        -- '' while XPM still has it
    PRIMARY KEY (tenant_id, uuid)
) WITHOUT ROWID;

-- The last discovery of each practice, with what it cost.
CREATE TABLE xpm_discovery (
    tenant_id       TEXT PRIMARY KEY CHECK (tenant_id <> ''),
    tenant_name     TEXT NOT NULL DEFAULT '',
    discovered_at   TEXT NOT NULL,
    group_count     INTEGER NOT NULL DEFAULT 0,
    client_count    INTEGER NOT NULL DEFAULT 0,
    calls           INTEGER NOT NULL DEFAULT 0,
    bytes           INTEGER NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Set by a pull (issue 8); '' = never pulled.
ALTER TABLE group_link ADD COLUMN last_pulled_at TEXT NOT NULL DEFAULT '';
