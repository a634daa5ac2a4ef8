-- Rate-limit windows shared by every instance on this database: one row per key and minute,
-- counted up by one atomic upsert per request. UNLOGGED: counts need no WAL, no crash safety
-- (a crash forgets at most the current minute) and no replica; commits touching only this
-- table don't wait for a WAL flush.
CREATE UNLOGGED TABLE rate_limit_windows (
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
