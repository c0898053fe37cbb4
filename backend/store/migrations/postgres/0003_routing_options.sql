-- Per-scenario balancing strategies, the background model pattern, and
-- several API keys per channel (rotated; the first is also in api_key).
ALTER TABLE route_config ADD COLUMN strategies       TEXT NOT NULL DEFAULT '{}'; -- JSON object scenario -> strategy
ALTER TABLE route_config ADD COLUMN background_model TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN api_keys TEXT NOT NULL DEFAULT '[]'; -- JSON array; empty means just api_key
