-- Customers, their emails/phones/websites, and the conversations their stats are counted from.
-- Every table carries account_id and every hot index starts with it (see docs/API-DESIGN.md).
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    first_name VARCHAR(255),
    last_name VARCHAR(255),
    company VARCHAR(255),
    avatar VARCHAR(2048),
    -- The computed display name (names, else first email), kept for sorting and search.
    name VARCHAR(1024) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX customers_account_created_idx ON customers (account_id, created_at, id);
CREATE INDEX customers_account_updated_idx ON customers (account_id, updated_at, id);
CREATE INDEX customers_account_name_idx ON customers (account_id, name, id);

-- Emails, phones and websites in one table: a page's nested rows load in one query, and one
-- upsert routine serves all three. `normalized` is what lookups compare: the lower-cased email,
-- the phone's digits, and '' for websites (never looked up).
CREATE TABLE customer_contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind VARCHAR(8) NOT NULL CHECK (kind IN ('email', 'phone', 'website')),
    value VARCHAR(2048) NOT NULL,
    normalized VARCHAR(1024) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
-- One email belongs to at most one customer of an account, whatever its case.
CREATE UNIQUE INDEX customer_contacts_email_key ON customer_contacts (account_id, normalized) WHERE kind = 'email';
CREATE INDEX customer_contacts_lookup_idx ON customer_contacts (account_id, kind, normalized);
CREATE INDEX customer_contacts_customer_idx ON customer_contacts (customer_id, kind, id);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    -- A deleted customer's conversations stay, unattached.
    customer_id BIGINT REFERENCES customers (id) ON DELETE SET NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    channel VARCHAR(8) NOT NULL CHECK (channel IN ('email', 'chat', 'phone', 'api')),
    status VARCHAR(8) NOT NULL CHECK (status IN ('posted', 'draft', 'pending', 'closed')),
    subject VARCHAR(255),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX conversations_account_number_key ON conversations (account_id, number);
-- Serves the stats count as an index-only scan.
CREATE INDEX conversations_stats_idx ON conversations (account_id, customer_id, status, channel);
