-- No-code flows. A flow keeps its draft beside its published version; every publish adds a
-- numbered version (restorable). Definitions are JSON (addon_core::flows::model).
CREATE TABLE flows (
    id                TEXT   NOT NULL PRIMARY KEY,
    addon_key         TEXT   NOT NULL,
    workspace_id      TEXT   NOT NULL,
    name              TEXT   NOT NULL,
    enabled           BIGINT NOT NULL,
    draft             TEXT   NOT NULL,
    published_version BIGINT,
    published         TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX flows_by_installation ON flows (addon_key, workspace_id);

CREATE TABLE flow_versions (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    flow_id    TEXT   NOT NULL,
    version    BIGINT NOT NULL,
    definition TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (flow_id, version)
);

-- One run of one flow version for one event. `next_step` and `outputs` checkpoint progress so
-- a retry resumes at the failed step; `lease_owner`/`lease_until` let exactly one worker run it.
CREATE TABLE flow_runs (
    id           TEXT   NOT NULL PRIMARY KEY,
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    flow_id      TEXT   NOT NULL,
    flow_version BIGINT NOT NULL,
    event_id     TEXT   NOT NULL,
    event_type   TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    attempts     BIGINT NOT NULL,
    next_step    BIGINT NOT NULL,
    outputs      TEXT   NOT NULL,
    error        TEXT,
    run_after    BIGINT NOT NULL,
    lease_owner  TEXT,
    lease_until  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX flow_runs_by_flow ON flow_runs (flow_id, created_at);
CREATE INDEX flow_runs_due ON flow_runs (status, run_after);
CREATE INDEX flow_runs_by_installation ON flow_runs (addon_key, workspace_id);

-- What each step of each attempt sent and got back (responses capped).
CREATE TABLE flow_run_steps (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    run_id      TEXT   NOT NULL,
    attempt     BIGINT NOT NULL,
    step_index  BIGINT NOT NULL,
    step_id     TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    request     TEXT   NOT NULL,
    response    TEXT,
    http_status BIGINT,
    duration_ms BIGINT NOT NULL,
    error       TEXT,
    started_at  BIGINT NOT NULL,
    PRIMARY KEY (run_id, attempt, step_index)
);

-- Secrets generic HTTP actions reference by name (`{{ secrets.NAME }}`), encrypted at rest.
CREATE TABLE flow_secrets (
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    ciphertext   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (addon_key, workspace_id, name)
);

-- Flow jobs gain a lease and the outcome of matching (`matched N`, `no flow matched`).
ALTER TABLE flow_jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE flow_jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE flow_jobs ADD COLUMN outcome TEXT;
