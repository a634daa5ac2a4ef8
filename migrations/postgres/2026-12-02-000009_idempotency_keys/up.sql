-- Idempotency-Key (IETF draft): the first answer to a POST, kept per (account, principal, key)
-- and replayed to a retry. A row is pending while its request runs (lock_id, locked_at set), then
-- holds the answer (response_*). See docs/API-DESIGN.md, "Idempotency-Key".
CREATE TABLE idempotency_keys (
    id BIGSERIAL PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Who sent it: 'user:<id>' (a bearer token's user) or 'guest:<fingerprint hash>'.
    principal VARCHAR(80) NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    -- What the key is bound to: 'POST <path and query>', and SHA-256 of content type and body.
    request_target TEXT NOT NULL,
    request_hash VARCHAR(64) NOT NULL,
    -- Set while the request runs; whoever holds lock_id may finish the row.
    lock_id VARCHAR(36),
    locked_at TIMESTAMP,
    -- Set in the request's own transaction when its write commits: never run it a second time.
    committed_at TIMESTAMP,
    response_status INTEGER,
    -- JSON: [[name, value], …], the headers the handler set.
    response_headers TEXT,
    response_body BYTEA,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
-- One entry per key and scope; it also serves the foreign key (account_id leads).
CREATE UNIQUE INDEX idempotency_keys_scope_key ON idempotency_keys (account_id, principal, idempotency_key);
-- The purge deletes expired rows in small batches in this order, never scanning the table.
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
