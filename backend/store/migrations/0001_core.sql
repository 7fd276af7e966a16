-- 0001: groups, entities, membership, relationships, journal.
-- Times are RFC 3339 UTC text; dates are YYYY-MM-DD text ('' = unknown).

CREATE TABLE entity_group (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (name <> ''),
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX entity_group_name ON entity_group (name COLLATE NOCASE);

CREATE TABLE entity (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('individual','company','trust','partnership','smsf','other')),
    trust_type      TEXT NOT NULL DEFAULT '' CHECK (trust_type IN ('','discretionary','unit','hybrid','testamentary','bare','other')),
    given_name      TEXT NOT NULL DEFAULT '',
    family_name     TEXT NOT NULL DEFAULT '',
    legal_name      TEXT NOT NULL DEFAULT '',
    trading_name    TEXT NOT NULL DEFAULT '',
    date_of_birth   TEXT NOT NULL DEFAULT '',
    abn             TEXT NOT NULL DEFAULT '',
    acn             TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    -- Tax file number: AES-GCM ciphertext only (key in the OS keychain) and
    -- the last 3 digits for display. Never the clear number.
    tfn_cipher      BLOB,
    tfn_last3       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK ((tfn_cipher IS NULL) = (tfn_last3 = ''))
);
CREATE INDEX entity_abn ON entity (abn) WHERE abn <> '';
CREATE INDEX entity_acn ON entity (acn) WHERE acn <> '';

CREATE TABLE group_member (
    group_id    INTEGER NOT NULL REFERENCES entity_group (id) ON DELETE CASCADE,
    entity_id   INTEGER NOT NULL REFERENCES entity (id) ON DELETE CASCADE,
    added_at    TEXT NOT NULL,
    PRIMARY KEY (group_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX group_member_entity ON group_member (entity_id);

-- A relationship reads "from is <type label> to", e.g. from=John, to=Acme,
-- type=director: John is Director of Acme. Types live in
-- backend/model/relationship_types.json, not here.
CREATE TABLE relationship (
    id                INTEGER PRIMARY KEY,
    from_id           INTEGER NOT NULL REFERENCES entity (id) ON DELETE CASCADE,
    to_id             INTEGER NOT NULL REFERENCES entity (id) ON DELETE CASCADE,
    type              TEXT NOT NULL CHECK (type <> ''),
    number_of_shares  INTEGER CHECK (number_of_shares IS NULL OR number_of_shares >= 1),
    percentage        REAL CHECK (percentage IS NULL OR (percentage >= 0 AND percentage <= 100)),
    start_date        TEXT NOT NULL DEFAULT '',
    end_date          TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (from_id <> to_id)
);
CREATE INDEX relationship_from ON relationship (from_id, type);
CREATE INDEX relationship_to ON relationship (to_id, type);

-- Who changed what, when. Snapshots are JSON of the model objects (an entity
-- snapshot carries only the last 3 digits of a TFN).
CREATE TABLE journal (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('local','sync')),
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    INTEGER NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    before_json  TEXT,
    after_json   TEXT
);
CREATE INDEX journal_object ON journal (object_type, object_id);
