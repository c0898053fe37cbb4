-- 0001_init: the first Routex schema. Migrations are append-only: never edit
-- this file once released; add 0002_*.sql instead.

CREATE TABLE channels (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL DEFAULT '',
    base_url     TEXT    NOT NULL DEFAULT '',
    api_key      TEXT    NOT NULL DEFAULT '',
    models       TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    model_map    TEXT    NOT NULL DEFAULT '{}', -- JSON object string -> string
    priority     INTEGER NOT NULL DEFAULT 0,
    weight       INTEGER NOT NULL DEFAULT 1,
    enabled      INTEGER NOT NULL DEFAULT 1,
    headers      TEXT    NOT NULL DEFAULT '{}', -- JSON object string -> string
    transformers TEXT    NOT NULL DEFAULT '[]', -- JSON array
    timeout_ms   INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,              -- unix milliseconds
    updated_at   INTEGER NOT NULL               -- unix milliseconds
);

-- routes holds the ordered targets of each scenario, one row per target.
CREATE TABLE routes (
    scenario TEXT    NOT NULL,
    position INTEGER NOT NULL,
    target   TEXT    NOT NULL,                  -- "channel,model" or "channel"
    PRIMARY KEY (scenario, position)
);

-- route_config holds the single row of routing options beside the targets.
CREATE TABLE route_config (
    id                     INTEGER PRIMARY KEY CHECK (id = 1),
    strategy               TEXT    NOT NULL,
    long_context_threshold INTEGER NOT NULL,
    rules                  TEXT    NOT NULL DEFAULT '[]' -- JSON array
);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL                 -- unix milliseconds
);

-- request_logs has no foreign key to channels on purpose: logs outlive the
-- channels they name.
CREATE TABLE request_logs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    time           INTEGER NOT NULL,            -- unix milliseconds
    format         TEXT    NOT NULL DEFAULT '',
    channel_id     INTEGER NOT NULL DEFAULT 0,
    channel_name   TEXT    NOT NULL DEFAULT '',
    client_model   TEXT    NOT NULL DEFAULT '',
    upstream_model TEXT    NOT NULL DEFAULT '',
    status         INTEGER NOT NULL DEFAULT 0,
    stream         INTEGER NOT NULL DEFAULT 0,
    latency_ms     INTEGER NOT NULL DEFAULT 0,
    ttft_ms        INTEGER NOT NULL DEFAULT 0,
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    error          TEXT    NOT NULL DEFAULT '',
    user_agent     TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX request_logs_time ON request_logs (time);
