DROP TABLE customer_duplicate_members;
DROP TABLE customer_duplicate_keys;
DROP INDEX customer_contacts_match_idx;
CREATE INDEX customer_contacts_lookup_idx ON customer_contacts (account_id, kind, normalized);
ALTER TABLE customer_contacts DROP COLUMN match_key;
DROP TABLE customer_merges;
DROP TABLE customer_external_ids;
ALTER TABLE customers DROP COLUMN external_ids;
