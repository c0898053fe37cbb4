-- Usage detail for converted requests: cache tokens, whether Routex had to
-- estimate the counts because the upstream reported none, and which format
-- the channel spoke.
ALTER TABLE request_logs ADD COLUMN cache_read_tokens  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN usage_estimated    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN upstream_format    TEXT    NOT NULL DEFAULT '';
