-- cc-switch's providers table (schema of its src-tauri/src/database/schema.rs),
-- with the kinds of rows it holds: Claude Code, Gemini CLI and Codex CLI
-- providers (official sign-in, relays, converted formats) and other apps'.
CREATE TABLE providers (
    id TEXT NOT NULL,
    app_type TEXT NOT NULL,
    name TEXT NOT NULL,
    settings_config TEXT NOT NULL,
    website_url TEXT,
    category TEXT,
    created_at INTEGER,
    sort_index INTEGER,
    notes TEXT,
    icon TEXT,
    icon_color TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    is_current BOOLEAN NOT NULL DEFAULT 0,
    in_failover_queue BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (id, app_type)
);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('p1', 'claude', 'Claude Official', '{"env": {}}', '{}', 0, 1700000000, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('p2', 'claude', 'DeepSeek', '{"env": {"ANTHROPIC_BASE_URL": "https://api.deepseek.com/anthropic", "ANTHROPIC_AUTH_TOKEN": "sk-ds-000011112222", "ANTHROPIC_MODEL": "deepseek-chat", "ANTHROPIC_DEFAULT_HAIKU_MODEL": "deepseek-chat"}}', '{}', 1, 1700000001, 1);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('p3', 'gemini', 'Gemini', '{"env": {"GEMINI_API_KEY": "g-000011112222", "GEMINI_MODEL": "gemini-2.5-pro"}}', '{}', 2, 1700000002, 1);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('codex-official', 'codex', 'OpenAI Official', '{"auth": {}, "config": ""}', '{"providerType": "codex_oauth"}', 0, 1700000003, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('packy', 'codex', 'PackyCode', '{"auth": {"OPENAI_API_KEY": "sk-packy-000011112222"}, "config": "model_provider = \"custom\"\nmodel = \"gpt-5.5-codex\"\nmodel_reasoning_effort = \"high\"\ndisable_response_storage = true\n\n[model_providers.custom]\nname = \"packycode\"\nbase_url = \"https://codex-api.packycode.com/v1\"\nwire_api = \"responses\"\nrequires_openai_auth = true\n"}', '{"apiFormat": "openai_responses", "endpointAutoSelect": true}', 1, 1700000004, 1);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('kimi', 'codex', 'Kimi', '{"auth": {"OPENAI_API_KEY": "sk-kimi-000011112222"}, "config": "model_provider = \"custom\"\nmodel = \"kimi-k2.7-code\"\n\n[model_providers.custom]\nname = \"kimi\"\nbase_url = \"https://api.moonshot.cn/v1\"\nwire_api = \"responses\"\nrequires_openai_auth = true\n"}', '{"apiFormat": "openai_chat", "codexChatReasoning": {"supportsThinking": true}}', 2, 1700000005, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('ds', 'codex', 'DeepSeek', '{"auth": {"OPENAI_API_KEY": "sk-ds-codex-000011112222"}, "config": "model_provider = \"custom\"\nmodel = \"deepseek-v4\"\n\n[model_providers.custom]\nname = \"deepseek\"\nbase_url = \"https://api.deepseek.com/anthropic\"\nwire_api = \"responses\"\nrequires_openai_auth = true\n"}', '{"apiFormat": "anthropic"}', 3, 1700000006, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('corp', 'codex', 'Team gateway', '{"auth": {}, "config": "model_provider = \"corp\"\nmodel = \"gpt-5.5\"\n\n[model_providers.corp]\nname = \"Corp LLM\"\nbase_url = \"https://llm.corp.example/v1/\"\nwire_api = \"responses\"\nexperimental_bearer_token = \"corp-token-000011112222\"\nhttp_headers = { \"X-Team\" = \"platform\" }\n"}', '{}', 4, 1700000007, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('envkey', 'codex', 'Env-key relay', '{"auth": {}, "config": "model_provider = \"relay\"\nmodel = \"gpt-5.5-codex-mini\"\n\n[model_providers.relay]\nname = \"relay\"\nbase_url = \"https://relay.example.com/v1\"\nwire_api = \"responses\"\nenv_key = \"CCSWITCH_TEST_UNSET_KEY\"\n"}', '{}', 5, 1700000008, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('legacy', 'codex', 'Old chat relay', '{"auth": {"OPENAI_API_KEY": "sk-old-000011112222"}, "config": "model_provider = \"old\"\nmodel = \"qwen3-coder-plus\"\n\n[model_providers.old]\nname = \"old\"\nbase_url = \"https://old.example.com/v1\"\nwire_api = \"chat\"\n"}', '{}', 6, 1700000009, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('oc', 'opencode', 'OpenCode Zen', '{"provider": {}}', '{}', 0, 1700000010, 0);
INSERT INTO providers (id, app_type, name, settings_config, meta, sort_index, created_at, is_current) VALUES ('cd', 'claude-desktop', 'Desktop relay', '{"env": {}}', '{}', 0, 1700000011, 0);
