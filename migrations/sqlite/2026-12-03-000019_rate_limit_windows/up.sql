-- The same table as on PostgreSQL, for one schema on both backends. SQLite serves one instance
-- per file, so its limits are counted in the process and this table stays empty.
CREATE TABLE rate_limit_windows (
    key TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
