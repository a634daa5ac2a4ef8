-- The change feed (an outbox): one row per change, written in the change's own transaction.
-- See docs/API-DESIGN.md, "Events and webhooks".
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Always 0 here: SQLite has one writer at a time, so id order is commit order. (On
    -- PostgreSQL, the writing transaction's id; see db::events.)
    position BIGINT NOT NULL DEFAULT 0,
    -- What clients see as the event's id ('evt_…'): stable across retries, says nothing of volume.
    public_id VARCHAR(40) NOT NULL,
    event_type VARCHAR(40) NOT NULL,
    -- The object as the API shows it; for a delete, its tombstone.
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- The pull feed of one account, in order; it also serves the foreign key (account_id leads).
CREATE INDEX events_feed_idx ON events (account_id, position, id);
-- (No events_dispatch_idx here: with `position` always 0 the dispatcher follows the rowid, and
-- every index is one more page written by each write under SQLite's one writer.)

CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    -- JSON array of event types and `kind.*` patterns.
    event_types TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    -- When it was created or last enabled: it gets the events written since.
    enabled_at TIMESTAMP NOT NULL,
    -- 'whsec_' and the base64 key: the HMAC key of the Standard Webhooks signature.
    secret VARCHAR(100) NOT NULL,
    -- Set when a delivery gave up after the retry window; nothing is sent until it is enabled again.
    failing_since TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_account_idx ON webhook_endpoints (account_id, id);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint_id BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    -- Purging an event past retention takes its deliveries with it.
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    -- 'pending', 'succeeded' or 'failed'.
    status VARCHAR(20) NOT NULL,
    attempts INTEGER NOT NULL,
    -- When a pending delivery is due; while an attempt runs, the end of its claim (a worker that
    -- dies mid-attempt leaves it due again when the claim runs out).
    next_attempt_at TIMESTAMP NOT NULL,
    -- Who holds the running attempt: only that worker records its outcome.
    claim_id VARCHAR(36),
    -- Retries stop here; the endpoint is then marked failing.
    retry_until TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    response_status INTEGER,
    latency_ms INTEGER,
    error TEXT,
    created_at TIMESTAMP NOT NULL
);
-- One delivery per endpoint and event; the endpoint's log reads it newest first.
CREATE UNIQUE INDEX webhook_deliveries_endpoint_event ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (endpoint_id, created_at, id);
-- What workers claim: the pending ones, by due time, and each endpoint's oldest pending one.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_queue_idx ON webhook_deliveries (endpoint_id, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_account_idx ON webhook_deliveries (account_id);

-- How far the dispatcher has turned events into deliveries: one row, locked while it works, so
-- one instance at a time dispatches and each event is dispatched once.
CREATE TABLE webhook_dispatch (
    id INTEGER PRIMARY KEY,
    position BIGINT NOT NULL,
    event_id BIGINT NOT NULL
);
INSERT INTO webhook_dispatch (id, position, event_id) VALUES (1, 0, 0);
