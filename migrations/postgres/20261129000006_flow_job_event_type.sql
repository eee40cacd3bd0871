-- A job names its event's source and type, so the matcher reads only the events some published
-- flow triggers on (under load most events start no flow). Jobs queued before this migration
-- have '' and are read as before.
ALTER TABLE flow_jobs ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE flow_jobs ADD COLUMN event_type TEXT NOT NULL DEFAULT '';

-- An event's jobs are looked up by event (its detail view); the old index stopped at the
-- installation, so that lookup read every job of the workspace.
DROP INDEX flow_jobs_by_installation;
CREATE INDEX flow_jobs_by_event ON flow_jobs (addon_key, workspace_id, event_id);

-- Nothing reads events by time across installations (retention and the log go through
-- webhook_events_by_time), and each insert paid for this index.
DROP INDEX webhook_events_by_received;
