-- Keys a PostgreSQL distributed by account_id (Citus) accepts, with no API change
-- (docs/SCALING.md, "Distributing by account_id"): every primary key and unique index of a
-- tenant table includes account_id, and every foreign key between tenant tables is composite,
-- so each row and each check lives on its tenant's node. Ids stay globally unique (one sequence
-- each), so `(account_id, id)` is as unique as `id` was.
--
-- Takes each tenant table's lock while its keys are rebuilt: run it with the previous
-- release's servers stopped.

-- The conversation number moves off the accounts row (a reference table, copied to every node)
-- into a row of the tenant's own, like the customer count (migration 8).
CREATE TABLE conversation_numbers (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    last_number BIGINT NOT NULL
);
INSERT INTO conversation_numbers (account_id, last_number)
    SELECT id, last_conversation_number FROM accounts WHERE last_conversation_number <> 0;
-- accounts.last_conversation_number stays, unused, until a later migration drops it.

-- Foreign keys between tenant tables go first: they depend on the primary keys rebuilt below.
ALTER TABLE customers DROP CONSTRAINT customers_company_id_fkey;
ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_customer_id_fkey;
ALTER TABLE conversations DROP CONSTRAINT conversations_customer_contact_id_fkey;
ALTER TABLE conversations DROP CONSTRAINT conversations_customer_id_fkey;
ALTER TABLE interactions DROP CONSTRAINT interactions_conversation_id_fkey;
ALTER TABLE companies DROP CONSTRAINT companies_status_id_fkey;
ALTER TABLE companies DROP CONSTRAINT companies_tier_id_fkey;
ALTER TABLE company_keys DROP CONSTRAINT company_keys_company_id_fkey;
ALTER TABLE customer_requests DROP CONSTRAINT customer_requests_company_id_fkey;
ALTER TABLE customer_requests DROP CONSTRAINT customer_requests_conversation_id_fkey;
ALTER TABLE customer_requests DROP CONSTRAINT customer_requests_customer_id_fkey;
ALTER TABLE request_attachments DROP CONSTRAINT request_attachments_request_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_endpoint_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_event_id_fkey;
ALTER TABLE customer_external_ids DROP CONSTRAINT customer_external_ids_customer_id_fkey;
ALTER TABLE customer_merges DROP CONSTRAINT customer_merges_survivor_id_fkey;
ALTER TABLE customer_duplicate_members DROP CONSTRAINT customer_duplicate_members_customer_id_fkey;
ALTER TABLE notes DROP CONSTRAINT notes_company_id_fkey;
ALTER TABLE notes DROP CONSTRAINT notes_customer_id_fkey;
ALTER TABLE customer_tags DROP CONSTRAINT customer_tags_customer_id_fkey;
ALTER TABLE company_tags DROP CONSTRAINT company_tags_company_id_fkey;
ALTER TABLE customer_search_terms DROP CONSTRAINT customer_search_terms_customer_id_fkey;
ALTER TABLE customer_attribute_values DROP CONSTRAINT customer_attribute_values_customer_id_fkey;
ALTER TABLE company_attribute_values DROP CONSTRAINT company_attribute_values_company_id_fkey;

-- Primary keys: (account_id, id).
ALTER TABLE customers DROP CONSTRAINT customers_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE conversations DROP CONSTRAINT conversations_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE interactions DROP CONSTRAINT interactions_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE company_labels DROP CONSTRAINT company_labels_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE companies DROP CONSTRAINT companies_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE company_keys DROP CONSTRAINT company_keys_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE customer_requests DROP CONSTRAINT customer_requests_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE request_attachments DROP CONSTRAINT request_attachments_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE customer_external_ids DROP CONSTRAINT customer_external_ids_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE customer_merges DROP CONSTRAINT customer_merges_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE notes DROP CONSTRAINT notes_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE custom_attribute_definitions DROP CONSTRAINT custom_attribute_definitions_pkey, ADD PRIMARY KEY (account_id, id);
ALTER TABLE customer_attribute_values DROP CONSTRAINT customer_attribute_values_pkey, ADD PRIMARY KEY (account_id, customer_id, key);
ALTER TABLE company_attribute_values DROP CONSTRAINT company_attribute_values_pkey, ADD PRIMARY KEY (account_id, company_id, key);

-- Unique indexes that did not include account_id.
-- Where a referencing id led the index, it still does: SQLite's foreign key on that column
-- alone needs an index that leads with it.
DROP INDEX request_attachments_request_key;
CREATE UNIQUE INDEX request_attachments_request_key ON request_attachments (request_id, account_id);
DROP INDEX webhook_deliveries_endpoint_event;
CREATE UNIQUE INDEX webhook_deliveries_endpoint_event ON webhook_deliveries (account_id, endpoint_id, event_id);
DROP INDEX customer_external_ids_source_key;
CREATE UNIQUE INDEX customer_external_ids_source_key ON customer_external_ids (customer_id, account_id, source);

-- Composite foreign keys. Citus refuses ON DELETE SET NULL on a key that includes the
-- distribution column (PostgreSQL 15's `SET NULL (column)` too), so those are NO ACTION and
-- the deletes unlink first: they already did, so that updated_at moves (db::customers::delete,
-- db::companies::delete, db::contacts::delete).
ALTER TABLE customers ADD CONSTRAINT customers_company_id_fkey
    FOREIGN KEY (account_id, company_id) REFERENCES companies (account_id, id);
ALTER TABLE customer_contacts ADD CONSTRAINT customer_contacts_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE conversations ADD CONSTRAINT conversations_customer_contact_id_fkey
    FOREIGN KEY (account_id, customer_contact_id) REFERENCES customer_contacts (account_id, id);
ALTER TABLE conversations ADD CONSTRAINT conversations_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id);
ALTER TABLE interactions ADD CONSTRAINT interactions_conversation_id_fkey
    FOREIGN KEY (account_id, conversation_id) REFERENCES conversations (account_id, id) ON DELETE CASCADE;
ALTER TABLE companies ADD CONSTRAINT companies_status_id_fkey
    FOREIGN KEY (account_id, status_id) REFERENCES company_labels (account_id, id);
ALTER TABLE companies ADD CONSTRAINT companies_tier_id_fkey
    FOREIGN KEY (account_id, tier_id) REFERENCES company_labels (account_id, id);
ALTER TABLE company_keys ADD CONSTRAINT company_keys_company_id_fkey
    FOREIGN KEY (account_id, company_id) REFERENCES companies (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_requests ADD CONSTRAINT customer_requests_company_id_fkey
    FOREIGN KEY (account_id, company_id) REFERENCES companies (account_id, id);
ALTER TABLE customer_requests ADD CONSTRAINT customer_requests_conversation_id_fkey
    FOREIGN KEY (account_id, conversation_id) REFERENCES conversations (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_requests ADD CONSTRAINT customer_requests_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id);
ALTER TABLE request_attachments ADD CONSTRAINT request_attachments_request_id_fkey
    FOREIGN KEY (account_id, request_id) REFERENCES customer_requests (account_id, id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey
    FOREIGN KEY (account_id, endpoint_id) REFERENCES webhook_endpoints (account_id, id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_event_id_fkey
    FOREIGN KEY (account_id, event_id) REFERENCES events (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_external_ids ADD CONSTRAINT customer_external_ids_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_merges ADD CONSTRAINT customer_merges_survivor_id_fkey
    FOREIGN KEY (account_id, survivor_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_duplicate_members ADD CONSTRAINT customer_duplicate_members_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE notes ADD CONSTRAINT notes_company_id_fkey
    FOREIGN KEY (account_id, company_id) REFERENCES companies (account_id, id) ON DELETE CASCADE;
ALTER TABLE notes ADD CONSTRAINT notes_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_tags ADD CONSTRAINT customer_tags_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE company_tags ADD CONSTRAINT company_tags_company_id_fkey
    FOREIGN KEY (account_id, company_id) REFERENCES companies (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_search_terms ADD CONSTRAINT customer_search_terms_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE customer_attribute_values ADD CONSTRAINT customer_attribute_values_customer_id_fkey
    FOREIGN KEY (account_id, customer_id) REFERENCES customers (account_id, id) ON DELETE CASCADE;
ALTER TABLE company_attribute_values ADD CONSTRAINT company_attribute_values_company_id_fkey
    FOREIGN KEY (account_id, company_id) REFERENCES companies (account_id, id) ON DELETE CASCADE;
