-- The webhook log's event detail lists the flow runs each event started.
CREATE INDEX flow_runs_by_event ON flow_runs (event_id);
