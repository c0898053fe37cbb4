-- Keys per person: named keys an admin hands out besides the one access
-- key, with limits and budgets; counters the instances share to enforce
-- them; the key and instance of each request-log row.

-- api_keys stores only a SHA-256 of each secret; prefix is the part shown
-- to tell keys apart. A revoked key keeps its row (and its name in the
-- logs); only keys not revoked need distinct names.
CREATE TABLE api_keys (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT    NOT NULL,
    owner              TEXT    NOT NULL DEFAULT '',
    prefix             TEXT    NOT NULL,
    hash               TEXT    NOT NULL UNIQUE,  -- hex SHA-256 of the whole secret
    expires_at         INTEGER NOT NULL DEFAULT 0, -- unix milliseconds; 0 = never
    models             TEXT    NOT NULL DEFAULT '[]', -- JSON array of patterns; empty = any
    channels           TEXT    NOT NULL DEFAULT '[]', -- JSON array of channel names; empty = any
    rpm                INTEGER NOT NULL DEFAULT 0,  -- requests per minute; 0 = no limit
    tpm                INTEGER NOT NULL DEFAULT 0,  -- tokens per minute; 0 = no limit
    budget_daily_usd   REAL    NOT NULL DEFAULT 0,  -- 0 = no budget
    budget_monthly_usd REAL    NOT NULL DEFAULT 0,
    revoked_at         INTEGER NOT NULL DEFAULT 0,  -- unix milliseconds; 0 = active
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at = 0;

-- key_usage holds one row per key and UTC minute, day and month. A
-- request is counted in its minute before it is sent; its tokens and cost
-- are added when it finishes.
CREATE TABLE key_usage (
    key_id   INTEGER NOT NULL,
    period   TEXT    NOT NULL,                 -- minute | day | month
    start    INTEGER NOT NULL,                 -- unix milliseconds, UTC
    requests INTEGER NOT NULL DEFAULT 0,
    tokens   INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL    NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, period, start)
);

ALTER TABLE request_logs ADD COLUMN key_id   INTEGER NOT NULL DEFAULT 0; -- 0 = the access key
ALTER TABLE request_logs ADD COLUMN key_name TEXT    NOT NULL DEFAULT '';
ALTER TABLE request_logs ADD COLUMN instance TEXT    NOT NULL DEFAULT '';
CREATE INDEX request_logs_key_id ON request_logs (key_id, id);

-- Daily totals keep the key too, so stats by key survive retention. The
-- key joins the primary key, which SQLite changes only by copying.
CREATE TABLE request_daily_new (
    day                INTEGER NOT NULL,
    channel_id         INTEGER NOT NULL,
    channel_name       TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    requests           INTEGER NOT NULL DEFAULT 0,
    failed             INTEGER NOT NULL DEFAULT 0,
    input_tokens       INTEGER NOT NULL DEFAULT 0,
    output_tokens      INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd           REAL    NOT NULL DEFAULT 0,
    latency_ms_sum     INTEGER NOT NULL DEFAULT 0,
    ttft_ms_sum        INTEGER NOT NULL DEFAULT 0,
    ttft_count         INTEGER NOT NULL DEFAULT 0,
    last_time          INTEGER NOT NULL DEFAULT 0,
    key_id             INTEGER NOT NULL DEFAULT 0,
    key_name           TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (day, channel_id, channel_name, model, key_id)
);
INSERT INTO request_daily_new (day, channel_id, channel_name, model, requests, failed, input_tokens,
    output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, latency_ms_sum, ttft_ms_sum, ttft_count,
    last_time)
SELECT day, channel_id, channel_name, model, requests, failed, input_tokens, output_tokens,
    cache_read_tokens, cache_write_tokens, cost_usd, latency_ms_sum, ttft_ms_sum, ttft_count, last_time
FROM request_daily;
DROP TABLE request_daily;
ALTER TABLE request_daily_new RENAME TO request_daily;
