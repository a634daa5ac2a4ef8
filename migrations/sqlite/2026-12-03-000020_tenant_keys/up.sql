-- SQLite's half of the tenant keys (PostgreSQL's up.sql says why). Its tables keep their
-- single-column primary and foreign keys: one file is never distributed. What the code relies
-- on is the same on both: the conversation number's own row, and unique indexes that include
-- account_id (an ON CONFLICT names them).
CREATE TABLE conversation_numbers (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    last_number BIGINT NOT NULL
);
INSERT INTO conversation_numbers (account_id, last_number)
    SELECT id, last_conversation_number FROM accounts WHERE last_conversation_number <> 0;

-- Where a referencing id led the index, it still does: SQLite's foreign key on that column
-- alone needs an index that leads with it.
DROP INDEX request_attachments_request_key;
CREATE UNIQUE INDEX request_attachments_request_key ON request_attachments (request_id, account_id);
DROP INDEX webhook_deliveries_endpoint_event;
CREATE UNIQUE INDEX webhook_deliveries_endpoint_event ON webhook_deliveries (account_id, endpoint_id, event_id);
DROP INDEX customer_external_ids_source_key;
CREATE UNIQUE INDEX customer_external_ids_source_key ON customer_external_ids (customer_id, account_id, source);
