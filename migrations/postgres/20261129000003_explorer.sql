-- The API explorer's history: each user's calls (the acting user, the request as sent,
-- Clockify's status and the duration); the newest are kept.
CREATE TABLE explorer_history (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    id           TEXT   NOT NULL,
    user_id      TEXT   NOT NULL,
    operation_id TEXT   NOT NULL,
    method       TEXT   NOT NULL,
    path         TEXT   NOT NULL,
    params       TEXT   NOT NULL,
    body         TEXT,
    status       BIGINT,
    duration_ms  BIGINT NOT NULL,
    error        TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (addon_key, workspace_id, id)
);
CREATE INDEX explorer_history_by_user ON explorer_history (addon_key, workspace_id, user_id, created_at);
