-- Failed runs waiting to be shown as a toast in Clockify: our page takes them (and deletes
-- them) when an admin has it open. The alert is JSON (addon_core::flows::alerts::FailureAlert).
CREATE TABLE flow_failure_toasts (
    id           TEXT   NOT NULL PRIMARY KEY,
    addon_key    TEXT   NOT NULL,
    workspace_id TEXT   NOT NULL,
    alert        TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX flow_failure_toasts_by_installation ON flow_failure_toasts (addon_key, workspace_id, created_at);
