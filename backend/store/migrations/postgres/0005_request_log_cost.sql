-- Cost, sizes and speed per request; captured bodies; daily totals for
-- rows past retention; user-set prices.
ALTER TABLE request_logs ADD COLUMN cost_usd       DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN request_bytes  BIGINT           NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN response_bytes BIGINT           NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN output_tps     DOUBLE PRECISION NOT NULL DEFAULT 0;

-- Indexes for the dashboard's filters and stats. (time, latency_ms) serves
-- every time-range query the old time index did and also lets the p95 read
-- latencies from the index alone.
DROP INDEX request_logs_time;
CREATE INDEX request_logs_time_latency ON request_logs (time, latency_ms);
CREATE INDEX request_logs_channel ON request_logs (channel_id, id);
CREATE INDEX request_logs_status  ON request_logs (status, id);

-- Captured bodies live beside the log, not in it, so that list and stats
-- queries scan narrow rows. Only rows with capture on have a row here.
CREATE TABLE request_bodies (
    log_id        BIGINT PRIMARY KEY,           -- request_logs.id
    request_body  TEXT NOT NULL DEFAULT '',
    response_body TEXT NOT NULL DEFAULT ''
);

-- request_daily holds the totals of detail rows removed by retention, one
-- row per UTC day, channel and model. Latency and TTFT are kept as sums so
-- averages over a range stay exact after a roll-up.
CREATE TABLE request_daily (
    day                BIGINT           NOT NULL, -- unix milliseconds of 00:00 UTC
    channel_id         BIGINT           NOT NULL,
    channel_name       TEXT             NOT NULL,
    model              TEXT             NOT NULL, -- upstream model, else the client model
    requests           BIGINT           NOT NULL DEFAULT 0,
    failed             BIGINT           NOT NULL DEFAULT 0,
    input_tokens       BIGINT           NOT NULL DEFAULT 0,
    output_tokens      BIGINT           NOT NULL DEFAULT 0,
    cache_read_tokens  BIGINT           NOT NULL DEFAULT 0,
    cache_write_tokens BIGINT           NOT NULL DEFAULT 0,
    cost_usd           DOUBLE PRECISION NOT NULL DEFAULT 0,
    latency_ms_sum     BIGINT           NOT NULL DEFAULT 0,
    ttft_ms_sum        BIGINT           NOT NULL DEFAULT 0,
    ttft_count         BIGINT           NOT NULL DEFAULT 0, -- rows with a TTFT (streamed replies)
    last_time          BIGINT           NOT NULL DEFAULT 0, -- newest rolled-up row, to pick a channel's latest name
    PRIMARY KEY (day, channel_id, channel_name, model)
);

-- prices holds the user's own prices; defaults ship in the binary. SQLite
-- compares model with COLLATE NOCASE; here a unique index on lower(model)
-- does the same, and the store's queries compare lower(model).
CREATE TABLE prices (
    model       TEXT             NOT NULL,       -- exact name or glob with *
    input       DOUBLE PRECISION NOT NULL DEFAULT 0, -- USD per million tokens
    output      DOUBLE PRECISION NOT NULL DEFAULT 0,
    cache_read  DOUBLE PRECISION NOT NULL DEFAULT 0,
    cache_write DOUBLE PRECISION NOT NULL DEFAULT 0,
    updated_at  BIGINT           NOT NULL        -- unix milliseconds
);
CREATE UNIQUE INDEX prices_model ON prices (lower(model));
