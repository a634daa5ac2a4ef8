-- Tags on customers and companies (domain::tag). Each record keeps its own as a JSON array, for
-- its view (no read pays a statement for them); customer_tags and company_tags index the pairs
-- for the `?tag=` filters, and tags counts each tag's records for GET /tags.
ALTER TABLE customers ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE companies ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

CREATE TABLE customer_tags (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag VARCHAR(200) NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, tag, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_tags_customer_fk_idx ON customer_tags (customer_id);

CREATE TABLE company_tags (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag VARCHAR(200) NOT NULL,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, tag, company_id)
) WITHOUT ROWID;
CREATE INDEX company_tags_company_fk_idx ON company_tags (company_id);

CREATE TABLE tags (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    customers BIGINT NOT NULL DEFAULT 0,
    companies BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, name)
) WITHOUT ROWID;
