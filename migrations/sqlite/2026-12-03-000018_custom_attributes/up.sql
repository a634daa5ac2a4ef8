-- Custom attributes (domain::custom_attribute): the fields an account defines for its customers
-- or companies, and their values. A record keeps its own as a JSON object, for its view (no read
-- pays a statement for them); the value tables index them for the list filters: text, lists,
-- booleans and dates by text_value (folded text, the option, true/false, YYYY-MM-DD), numbers
-- by number_value, each range of (account, key, value) an index range.
CREATE TABLE custom_attribute_definitions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    object_type VARCHAR(20) NOT NULL,
    key VARCHAR(50) NOT NULL,
    label VARCHAR(255) NOT NULL,
    data_type VARCHAR(20) NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX custom_attribute_definitions_key ON custom_attribute_definitions (account_id, object_type, key);

ALTER TABLE customers ADD COLUMN custom_attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE companies ADD COLUMN custom_attributes TEXT NOT NULL DEFAULT '{}';

CREATE TABLE customer_attribute_values (
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    key VARCHAR(50) NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text_value VARCHAR(200),
    number_value REAL,
    PRIMARY KEY (customer_id, key)
) WITHOUT ROWID;
CREATE INDEX customer_attribute_values_text_idx ON customer_attribute_values (account_id, key, text_value, customer_id);
CREATE INDEX customer_attribute_values_number_idx ON customer_attribute_values (account_id, key, number_value, customer_id) WHERE number_value IS NOT NULL;

CREATE TABLE company_attribute_values (
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    key VARCHAR(50) NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text_value VARCHAR(200),
    number_value REAL,
    PRIMARY KEY (company_id, key)
) WITHOUT ROWID;
CREATE INDEX company_attribute_values_text_idx ON company_attribute_values (account_id, key, text_value, company_id);
CREATE INDEX company_attribute_values_number_idx ON company_attribute_values (account_id, key, number_value, company_id) WHERE number_value IS NOT NULL;
