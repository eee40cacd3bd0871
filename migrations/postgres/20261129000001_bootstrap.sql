-- Workspace data pulled from Clockify by the bootstrap: one row per entity, upserted.
CREATE TABLE entities (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    kind         TEXT   NOT NULL,
    entity_id    TEXT   NOT NULL,
    parent_id    TEXT,
    name         TEXT,
    data         TEXT   NOT NULL,
    fetched_at   BIGINT NOT NULL,
    PRIMARY KEY (addon_key, workspace_id, kind, entity_id)
);
CREATE INDEX entities_by_name ON entities (addon_key, workspace_id, kind, name);

-- One bootstrap job per installation: its state and what it used.
CREATE TABLE bootstrap_jobs (
    addon_key     TEXT   NOT NULL,
    workspace_id  TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    message       TEXT,
    requests      BIGINT NOT NULL,
    rate_limited  BIGINT NOT NULL,
    errors        BIGINT NOT NULL,
    started_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    finished_at   BIGINT,
    PRIMARY KEY (addon_key, workspace_id)
);

-- One cursor per unit of work (a resource, or a resource of one parent such as one project's
-- tasks): the next page to fetch, so a killed server resumes without duplicates.
CREATE TABLE bootstrap_cursors (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    unit         TEXT   NOT NULL,
    resource     TEXT   NOT NULL,
    parent_id    TEXT,
    next_page    BIGINT NOT NULL,
    pages_done   BIGINT NOT NULL,
    entities     BIGINT NOT NULL,
    state        TEXT   NOT NULL,
    error        TEXT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (addon_key, workspace_id, unit)
);
CREATE INDEX bootstrap_cursors_by_state ON bootstrap_cursors (addon_key, workspace_id, state);
