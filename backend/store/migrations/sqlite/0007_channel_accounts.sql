-- What Routex knows of each channel's provider account: Claude Code's model
-- slots and how to ask for the balance (on the channel, exported with it),
-- and the last model list and balance the provider answered (caches beside
-- the channel, refreshed on a schedule and on demand).
ALTER TABLE channels ADD COLUMN claude_models TEXT NOT NULL DEFAULT '{}'; -- JSON {"model","opus","sonnet","haiku","small_fast"}
ALTER TABLE channels ADD COLUMN balance_query TEXT NOT NULL DEFAULT '';   -- JSON query; '' means the built-in one for the provider, if any

-- channel_models is the provider's own model list (GET …/models).
CREATE TABLE channel_models (
    channel_id INTEGER PRIMARY KEY,                 -- channels.id; deleted with the channel
    models     TEXT    NOT NULL DEFAULT '[]',       -- JSON array of model ids
    error      TEXT    NOT NULL DEFAULT '',         -- why the last fetch failed; '' when it worked
    updated_at INTEGER NOT NULL                     -- unix milliseconds of the last fetch
);

-- channel_balances is the last balance answer. remaining and used are NULL
-- when the provider does not say; a failed refresh keeps the last numbers
-- and sets error, which makes the balance unknown rather than exhausted.
CREATE TABLE channel_balances (
    channel_id INTEGER PRIMARY KEY,                 -- channels.id; deleted with the channel
    remaining  REAL,
    used       REAL,
    unit       TEXT    NOT NULL DEFAULT '',         -- USD, CNY, credits, …
    available  INTEGER,                             -- NULL unknown, 0 the provider says calls are refused
    reset_at   INTEGER NOT NULL DEFAULT 0,          -- unix milliseconds; 0 none
    error      TEXT    NOT NULL DEFAULT '',
    checked_at INTEGER NOT NULL DEFAULT 0,          -- last successful answer, unix milliseconds
    updated_at INTEGER NOT NULL                     -- last attempt, unix milliseconds
);
