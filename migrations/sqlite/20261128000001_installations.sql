-- One row per installed add-on per workspace. Tokens are encrypted at rest.
CREATE TABLE installations (
    addon_key        TEXT    NOT NULL,
    workspace_id     TEXT    NOT NULL,
    addon_id         TEXT    NOT NULL,
    addon_user_id    TEXT,
    installed_by     TEXT,
    api_url          TEXT    NOT NULL,
    backend_url      TEXT    NOT NULL,
    reports_url      TEXT,
    token_urls       TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    settings         TEXT    NOT NULL,
    token_ciphertext TEXT    NOT NULL,
    workspace_name   TEXT,
    workspace_plan   TEXT,
    installer_name   TEXT,
    installed_at     BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    PRIMARY KEY (addon_key, workspace_id)
);

-- Webhook signing tokens from INSTALLED (and, later, from webhooks created through the API).
CREATE TABLE webhook_tokens (
    addon_key        TEXT    NOT NULL,
    workspace_id     TEXT    NOT NULL,
    webhook_url      TEXT    NOT NULL,
    webhook_type     TEXT    NOT NULL,
    token_digest     TEXT    NOT NULL,
    token_ciphertext TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL
);
CREATE INDEX webhook_tokens_by_installation ON webhook_tokens (addon_key, workspace_id);
CREATE INDEX webhook_tokens_by_digest ON webhook_tokens (token_digest);
