-- Back to single-column keys (the foreign keys' SET NULL actions included).
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

DROP INDEX request_attachments_request_key;
CREATE UNIQUE INDEX request_attachments_request_key ON request_attachments (request_id);
DROP INDEX webhook_deliveries_endpoint_event;
CREATE UNIQUE INDEX webhook_deliveries_endpoint_event ON webhook_deliveries (endpoint_id, event_id);
DROP INDEX customer_external_ids_source_key;
CREATE UNIQUE INDEX customer_external_ids_source_key ON customer_external_ids (customer_id, source);

ALTER TABLE customers DROP CONSTRAINT customers_pkey, ADD PRIMARY KEY (id);
ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_pkey, ADD PRIMARY KEY (id);
ALTER TABLE conversations DROP CONSTRAINT conversations_pkey, ADD PRIMARY KEY (id);
ALTER TABLE interactions DROP CONSTRAINT interactions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE company_labels DROP CONSTRAINT company_labels_pkey, ADD PRIMARY KEY (id);
ALTER TABLE companies DROP CONSTRAINT companies_pkey, ADD PRIMARY KEY (id);
ALTER TABLE company_keys DROP CONSTRAINT company_keys_pkey, ADD PRIMARY KEY (id);
ALTER TABLE customer_requests DROP CONSTRAINT customer_requests_pkey, ADD PRIMARY KEY (id);
ALTER TABLE request_attachments DROP CONSTRAINT request_attachments_pkey, ADD PRIMARY KEY (id);
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (id);
ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (id);
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_pkey, ADD PRIMARY KEY (id);
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_pkey, ADD PRIMARY KEY (id);
ALTER TABLE customer_external_ids DROP CONSTRAINT customer_external_ids_pkey, ADD PRIMARY KEY (id);
ALTER TABLE customer_merges DROP CONSTRAINT customer_merges_pkey, ADD PRIMARY KEY (id);
ALTER TABLE notes DROP CONSTRAINT notes_pkey, ADD PRIMARY KEY (id);
ALTER TABLE custom_attribute_definitions DROP CONSTRAINT custom_attribute_definitions_pkey, ADD PRIMARY KEY (id);
ALTER TABLE customer_attribute_values DROP CONSTRAINT customer_attribute_values_pkey, ADD PRIMARY KEY (customer_id, key);
ALTER TABLE company_attribute_values DROP CONSTRAINT company_attribute_values_pkey, ADD PRIMARY KEY (company_id, key);

ALTER TABLE customers ADD CONSTRAINT customers_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE SET NULL;
ALTER TABLE customer_contacts ADD CONSTRAINT customer_contacts_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE conversations ADD CONSTRAINT conversations_customer_contact_id_fkey
    FOREIGN KEY (customer_contact_id) REFERENCES customer_contacts (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD CONSTRAINT conversations_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE SET NULL;
ALTER TABLE interactions ADD CONSTRAINT interactions_conversation_id_fkey
    FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE;
ALTER TABLE companies ADD CONSTRAINT companies_status_id_fkey
    FOREIGN KEY (status_id) REFERENCES company_labels (id);
ALTER TABLE companies ADD CONSTRAINT companies_tier_id_fkey
    FOREIGN KEY (tier_id) REFERENCES company_labels (id);
ALTER TABLE company_keys ADD CONSTRAINT company_keys_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE;
ALTER TABLE customer_requests ADD CONSTRAINT customer_requests_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE SET NULL;
ALTER TABLE customer_requests ADD CONSTRAINT customer_requests_conversation_id_fkey
    FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE;
ALTER TABLE customer_requests ADD CONSTRAINT customer_requests_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE SET NULL;
ALTER TABLE request_attachments ADD CONSTRAINT request_attachments_request_id_fkey
    FOREIGN KEY (request_id) REFERENCES customer_requests (id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey
    FOREIGN KEY (endpoint_id) REFERENCES webhook_endpoints (id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_event_id_fkey
    FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE;
ALTER TABLE customer_external_ids ADD CONSTRAINT customer_external_ids_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE customer_merges ADD CONSTRAINT customer_merges_survivor_id_fkey
    FOREIGN KEY (survivor_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE customer_duplicate_members ADD CONSTRAINT customer_duplicate_members_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE notes ADD CONSTRAINT notes_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE;
ALTER TABLE notes ADD CONSTRAINT notes_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE customer_tags ADD CONSTRAINT customer_tags_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE company_tags ADD CONSTRAINT company_tags_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE;
ALTER TABLE customer_search_terms ADD CONSTRAINT customer_search_terms_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE customer_attribute_values ADD CONSTRAINT customer_attribute_values_customer_id_fkey
    FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE;
ALTER TABLE company_attribute_values ADD CONSTRAINT company_attribute_values_company_id_fkey
    FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE CASCADE;

UPDATE accounts SET last_conversation_number = n.last_number
    FROM conversation_numbers n WHERE n.account_id = accounts.id;
DROP TABLE conversation_numbers;
