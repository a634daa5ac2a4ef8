DROP TABLE request_attachments;
DROP TABLE customer_requests;
DROP INDEX customer_contacts_domain_idx;
ALTER TABLE customer_contacts DROP COLUMN domain;
DROP INDEX customers_account_company_idx;
ALTER TABLE customers DROP COLUMN company_id;
DROP TABLE company_keys;
DROP TABLE companies;
DROP TABLE company_labels;
