-- Conversations in full: per-account numbering, the customer email they came from, guest
-- (contact form) ownership, and their messages (interactions).

-- The last conversation number handed out in the account. Incremented in the creating
-- transaction, which locks the account row: numbers never repeat and, as a rollback undoes the
-- increment, never skip.
ALTER TABLE accounts ADD COLUMN last_conversation_number BIGINT NOT NULL DEFAULT 0;

-- The customer email the conversation is with ({"id", "email"} in the view).
ALTER TABLE conversations ADD COLUMN customer_contact_id BIGINT REFERENCES customer_contacts (id) ON DELETE SET NULL;
-- SHA-256 of the guest's fingerprint (email and UUID); the UUID itself is never stored.
ALTER TABLE conversations ADD COLUMN fingerprint_hash VARCHAR(64);
ALTER TABLE conversations ADD COLUMN interactions_count BIGINT NOT NULL DEFAULT 0;
CREATE INDEX conversations_account_created_idx ON conversations (account_id, created_at, id);
CREATE INDEX conversations_account_updated_idx ON conversations (account_id, updated_at, id);
CREATE INDEX conversations_account_status_idx ON conversations (account_id, status, created_at, id);
CREATE INDEX conversations_account_channel_idx ON conversations (account_id, channel, created_at, id);
CREATE INDEX conversations_customer_created_idx ON conversations (account_id, customer_id, created_at, id);

CREATE TABLE interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- `type` in the API; a column named type would need quoting everywhere.
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('customer', 'agent', 'note')),
    body TEXT NOT NULL,
    source VARCHAR(255),
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX interactions_conversation_idx ON interactions (account_id, conversation_id, id);
