-- Every accepted or duplicate delivery, raw, with secrets redacted from its headers.
CREATE TABLE webhook_events (
    id           TEXT   NOT NULL PRIMARY KEY,
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    source       TEXT   NOT NULL,
    event_type   TEXT   NOT NULL,
    dedupe_key   TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    received_at  BIGINT NOT NULL,
    headers      TEXT   NOT NULL,
    query        TEXT   NOT NULL,
    body         TEXT   NOT NULL
);
CREATE INDEX webhook_events_by_time ON webhook_events (addon_key, workspace_id, received_at);
CREATE INDEX webhook_events_by_dedupe ON webhook_events (addon_key, workspace_id, source, dedupe_key);
CREATE INDEX webhook_events_by_received ON webhook_events (received_at);

-- Work for the flow engine: one job per accepted event (and per replay).
CREATE TABLE flow_jobs (
    id           TEXT   NOT NULL PRIMARY KEY,
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    event_id     TEXT   NOT NULL,
    state        TEXT   NOT NULL,
    attempts     BIGINT NOT NULL,
    run_after    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX flow_jobs_by_state ON flow_jobs (state, run_after);
CREATE INDEX flow_jobs_by_installation ON flow_jobs (addon_key, workspace_id);

-- Rejected deliveries are counted, never stored.
CREATE TABLE webhook_rejections (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    source       TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    count        BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (addon_key, workspace_id, source, reason)
);

-- Workspace webhooks created through the API (Universal Webhook's events beyond the manifest's 20).
CREATE TABLE api_webhooks (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    webhook_id   TEXT   NOT NULL,
    event_type   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (addon_key, workspace_id, webhook_id)
);

-- Custom webhook sources (Universal Webhook): an unguessable ingest token, a verification
-- scheme, encrypted secrets (the previous one kept during a rotation's grace period).
CREATE TABLE webhook_sources (
    id                 TEXT   NOT NULL PRIMARY KEY,
    addon_key          TEXT   NOT NULL,
    workspace_id       TEXT   NOT NULL,
    name               TEXT   NOT NULL,
    ingest_token       TEXT   NOT NULL UNIQUE,
    scheme             TEXT   NOT NULL,
    event_type_from    TEXT   NOT NULL,
    dedupe_from        TEXT   NOT NULL,
    secret_ciphertext  TEXT   NOT NULL,
    previous_ciphertext TEXT,
    previous_until     BIGINT,
    enabled            BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX webhook_sources_by_installation ON webhook_sources (addon_key, workspace_id);
