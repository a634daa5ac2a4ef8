-- Companies (Linear's "customers"), their tiers and statuses, and customer requests (SPEC §6–7).

-- Tiers and statuses have one shape; `kind` tells them apart.
CREATE TABLE company_labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('tier', 'status')),
    name VARCHAR(255) NOT NULL,
    color VARCHAR(32),
    position BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX company_labels_account_idx ON company_labels (account_id, kind, position, id);

CREATE TABLE companies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name VARCHAR(255) NOT NULL,
    -- A label in use can't be deleted (409); the foreign keys are the backstop.
    tier_id BIGINT REFERENCES company_labels (id),
    status_id BIGINT REFERENCES company_labels (id),
    owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    revenue BIGINT,
    size BIGINT,
    logo_url VARCHAR(2048),
    managed_by VARCHAR(16) CHECK (managed_by IN ('intercom', 'zendesk', 'front')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX companies_account_created_idx ON companies (account_id, created_at, id);
CREATE INDEX companies_account_name_idx ON companies (account_id, name, id);
CREATE INDEX companies_tier_idx ON companies (tier_id);
CREATE INDEX companies_status_idx ON companies (status_id);

-- A company's domains and external ids: one shape, `kind` tells them apart. Each is unique per
-- account and kind; the unique index also decides between concurrent upserts.
CREATE TABLE company_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind VARCHAR(12) NOT NULL CHECK (kind IN ('domain', 'external_id')),
    value VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX company_keys_account_value_key ON company_keys (account_id, kind, value);
CREATE INDEX company_keys_company_idx ON company_keys (company_id, kind, id);

ALTER TABLE customers ADD COLUMN company_id BIGINT REFERENCES companies (id) ON DELETE SET NULL;
CREATE INDEX customers_account_company_idx ON customers (account_id, company_id, id);

-- The domain of each email (what links customers to companies); '' for phones and websites.
ALTER TABLE customer_contacts ADD COLUMN domain VARCHAR(1024) NOT NULL DEFAULT '';
UPDATE customer_contacts SET domain = substr(normalized, instr(normalized, '@') + 1) WHERE kind = 'email';
CREATE INDEX customer_contacts_domain_idx ON customer_contacts (account_id, kind, domain);

CREATE TABLE customer_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    company_id BIGINT REFERENCES companies (id) ON DELETE SET NULL,
    customer_id BIGINT REFERENCES customers (id) ON DELETE SET NULL,
    priority BIGINT NOT NULL DEFAULT 0 CHECK (priority IN (0, 1)),
    body TEXT,
    creator_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX customer_requests_account_created_idx ON customer_requests (account_id, created_at, id);
CREATE INDEX customer_requests_conversation_idx ON customer_requests (account_id, conversation_id);
CREATE INDEX customer_requests_company_idx ON customer_requests (account_id, company_id, priority);
CREATE INDEX customer_requests_customer_idx ON customer_requests (account_id, customer_id);

-- A request's source URL, as Linear backs each one with an attachment.
CREATE TABLE request_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    request_id BIGINT NOT NULL REFERENCES customer_requests (id) ON DELETE CASCADE,
    url VARCHAR(2048) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX request_attachments_request_key ON request_attachments (request_id);
