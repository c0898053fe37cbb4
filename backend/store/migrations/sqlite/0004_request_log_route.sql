-- What routing decided and what failover tried, for the request log.
ALTER TABLE request_logs ADD COLUMN scenario    TEXT NOT NULL DEFAULT '';
ALTER TABLE request_logs ADD COLUMN rule        TEXT NOT NULL DEFAULT '';
ALTER TABLE request_logs ADD COLUMN attempts    TEXT NOT NULL DEFAULT '[]'; -- JSON array of {channel, status, error}
ALTER TABLE request_logs ADD COLUMN session_key TEXT NOT NULL DEFAULT '';
