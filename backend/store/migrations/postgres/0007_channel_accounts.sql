-- What Routex knows of each channel's provider account, PostgreSQL dialect
-- of sqlite/0007_channel_accounts.sql: Claude Code's model slots and how to
-- ask for the balance (on the channel), and the last model list and balance
-- the provider answered (caches beside the channel).
ALTER TABLE channels ADD COLUMN claude_models TEXT NOT NULL DEFAULT '{}'; -- JSON {"model","opus","sonnet","haiku","small_fast"}
ALTER TABLE channels ADD COLUMN balance_query TEXT NOT NULL DEFAULT '';   -- JSON query; '' means the built-in one for the provider, if any

CREATE TABLE channel_models (
    channel_id BIGINT PRIMARY KEY,                  -- channels.id; deleted with the channel
    models     TEXT   NOT NULL DEFAULT '[]',        -- JSON array of model ids
    error      TEXT   NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL                      -- unix milliseconds of the last fetch
);

CREATE TABLE channel_balances (
    channel_id BIGINT           PRIMARY KEY,        -- channels.id; deleted with the channel
    remaining  DOUBLE PRECISION,
    used       DOUBLE PRECISION,
    unit       TEXT             NOT NULL DEFAULT '',
    available  BOOLEAN,                             -- NULL unknown, FALSE the provider says calls are refused
    reset_at   BIGINT           NOT NULL DEFAULT 0,
    error      TEXT             NOT NULL DEFAULT '',
    checked_at BIGINT           NOT NULL DEFAULT 0,
    updated_at BIGINT           NOT NULL
);
