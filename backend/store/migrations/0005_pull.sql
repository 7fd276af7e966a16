-- 0005: pulling linked XPM groups into Structura (issue 8). A pull is read
-- from XPM (job xpm.pull) into a snapshot kept here, reviewed (the
-- practitioner's decisions are kept here, so the review survives a restart
-- and can be re-run without calling XPM), then applied (job
-- xpm.pull-apply) one transaction per group. Saved kind rules answer
-- "what kind is this business structure?" once for all. See docs/pull.md
-- and docs/adr/0030 to 0034.

CREATE TABLE pull (
    id               INTEGER PRIMARY KEY,
    tenant_id        TEXT NOT NULL CHECK (tenant_id <> ''),
    state            TEXT NOT NULL CHECK (state IN ('reading','review','applying','applied','canceled','failed','discarded')),
    request_json     TEXT NOT NULL DEFAULT '{}',   -- what was asked (groups, full read)
    read_plan_json   TEXT NOT NULL DEFAULT '{}',   -- the calls chosen, with the estimate
    read_json        TEXT NOT NULL DEFAULT '{}',   -- read progress: list done, referenced done, calls made
    decisions_json   TEXT NOT NULL DEFAULT '{}',   -- item key -> decision
    summary_json     TEXT NOT NULL DEFAULT '{}',   -- the review's summary
    result_json      TEXT NOT NULL DEFAULT '{}',   -- what applying did
    read_job_id      INTEGER REFERENCES job (id) ON DELETE SET NULL,
    apply_job_id     INTEGER REFERENCES job (id) ON DELETE SET NULL,
    read_started_at  TEXT NOT NULL DEFAULT '',     -- becomes the groups' last_pulled_at
    error            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX pull_state ON pull (state);

-- The groups of a pull, in pull order.
CREATE TABLE pull_group (
    pull_id          INTEGER NOT NULL REFERENCES pull (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    xpm_group_uuid   TEXT NOT NULL CHECK (xpm_group_uuid <> ''),
    group_id         INTEGER REFERENCES entity_group (id) ON DELETE SET NULL,
    name             TEXT NOT NULL DEFAULT '',
    members_json     TEXT NOT NULL DEFAULT '[]',   -- XPM client uuids as read
    read_at          TEXT NOT NULL DEFAULT '',     -- '' until read
    gone             INTEGER NOT NULL DEFAULT 0 CHECK (gone IN (0, 1)),
    ops_json         TEXT,                         -- the writes, set when the pull is confirmed
    applied_at       TEXT NOT NULL DEFAULT '',     -- set in the group's own transaction
    result_json      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (pull_id, xpm_group_uuid)
);
CREATE UNIQUE INDEX pull_group_position ON pull_group (pull_id, position);

-- The snapshot: every XPM client a pull read (sync.Client JSON, XPM's
-- record included), or a uuid XPM no longer has (missing <> ''). source
-- says where the record came from: 'xpm' (read now) or 'base' (not changed
-- in XPM since the last pull, so its base snapshot stands for it). Deleted
-- once the pull is applied or discarded: the base snapshots keep what
-- matters.
CREATE TABLE pull_client (
    pull_id   INTEGER NOT NULL REFERENCES pull (id) ON DELETE CASCADE,
    uuid      TEXT NOT NULL CHECK (uuid <> ''),
    json      TEXT NOT NULL DEFAULT '',
    missing   TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT 'xpm' CHECK (source IN ('xpm','base')),
    PRIMARY KEY (pull_id, uuid)
);

-- The practitioner's answers to "what kind is this business structure?",
-- by LabelKey (lower case, letters and digits).
CREATE TABLE pull_kind_rule (
    label_key   TEXT PRIMARY KEY CHECK (label_key <> ''),
    label       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('individual','company','trust','partnership','smsf','other')),
    trust_type  TEXT NOT NULL DEFAULT '' CHECK (trust_type IN ('','discretionary','unit','hybrid','testamentary','bare','other')),
    created_at  TEXT NOT NULL
);
