-- Customers' external ids, and what is left of a customer merged into another (issue 18).

-- The customer's external ids as its view shows them (a JSON object, source → id), so a read
-- needs no other table; customer_external_ids below holds the same pairs for lookups and
-- uniqueness, and every write changes both.
ALTER TABLE customers ADD COLUMN external_ids TEXT NOT NULL DEFAULT '{}';

-- One id per integration source (`stripe`, `hubspot`, …) per customer; an id names at most one
-- customer of an account whatever its source, so a lookup by it is exact. The unique index also
-- decides between concurrent upserts of one key.
CREATE TABLE customer_external_ids (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    source VARCHAR(40) NOT NULL,
    value VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX customer_external_ids_value_key ON customer_external_ids (account_id, value);
CREATE UNIQUE INDEX customer_external_ids_source_key ON customer_external_ids (customer_id, source);

-- A merged customer's row is deleted (so lists, counts and search never see it); its id stays
-- here, pointing at the customer it was merged into, for `GET /customers/{old}` to answer 308.
-- Ids are never reused, so an id is either a customer or a tombstone. A later merge of the
-- survivor repoints these rows; deleting the survivor deletes them.
CREATE TABLE customer_merges (
    id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    survivor_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    merged_at TIMESTAMP NOT NULL
);
CREATE INDEX customer_merges_survivor_idx ON customer_merges (survivor_id);
CREATE INDEX customer_merges_account_idx ON customer_merges (account_id);

-- What duplicate detection compares (domain::contact::ContactValue::match_key): an email's
-- canonical form (no +tag; Gmail without dots), a phone's digits. It replaces the lookup index:
-- phones are looked up by it (the same digits), emails by the unique email index.
ALTER TABLE customer_contacts ADD COLUMN match_key VARCHAR(1024) NOT NULL DEFAULT '';
UPDATE customer_contacts SET match_key = normalized WHERE kind = 'phone';
UPDATE customer_contacts SET match_key = CASE
        WHEN domain IN ('gmail.com', 'googlemail.com')
            THEN replace(CASE WHEN instr(substr(normalized, 1, length(normalized) - length(domain) - 1), '+') > 0 THEN substr(substr(normalized, 1, length(normalized) - length(domain) - 1), 1, instr(substr(normalized, 1, length(normalized) - length(domain) - 1), '+') - 1) ELSE substr(normalized, 1, length(normalized) - length(domain) - 1) END, '.', '') || '@gmail.com'
        ELSE CASE WHEN instr(substr(normalized, 1, length(normalized) - length(domain) - 1), '+') > 0 THEN substr(substr(normalized, 1, length(normalized) - length(domain) - 1), 1, instr(substr(normalized, 1, length(normalized) - length(domain) - 1), '+') - 1) ELSE substr(normalized, 1, length(normalized) - length(domain) - 1) END || '@' || domain
    END
    WHERE kind = 'email';
DROP INDEX customer_contacts_lookup_idx;
CREATE INDEX customer_contacts_match_idx ON customer_contacts (account_id, kind, match_key);

-- Keys two or more customers of an account have shared, once each: what the duplicate list
-- pages through, and what lets a write that adds a key many customers already share (a
-- company's switchboard phone) just join it, instead of reading every holder.
CREATE TABLE customer_duplicate_keys (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    reason VARCHAR(16) NOT NULL CHECK (reason IN ('email', 'phone', 'name_domain')),
    match_key VARCHAR(1300) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, reason, match_key)
);
INSERT INTO customer_duplicate_keys (account_id, reason, match_key, created_at)
    SELECT account_id, kind, match_key, CURRENT_TIMESTAMP FROM customer_contacts
    WHERE kind IN ('email', 'phone')
    GROUP BY account_id, kind, match_key
    HAVING count(DISTINCT customer_id) > 1;

-- The customers of each shared key (an email's canonical form, a phone, or a name at an email
-- domain): a write that shares a key notes itself here (and, when it makes the key shared, the
-- customer it shares it with), so the duplicate lists read this table by its primary key
-- instead of grouping every contact.
-- A member that no longer holds its key (renamed, the email removed) is skipped as it is read;
-- deleted and merged customers leave with their rows.
CREATE TABLE customer_duplicate_members (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    reason VARCHAR(16) NOT NULL CHECK (reason IN ('email', 'phone', 'name_domain')),
    match_key VARCHAR(1300) NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, reason, match_key, customer_id)
);
CREATE INDEX customer_duplicate_members_customer_idx ON customer_duplicate_members (customer_id);
INSERT INTO customer_duplicate_members (account_id, reason, match_key, customer_id, created_at)
    SELECT DISTINCT c.account_id, c.kind, c.match_key, c.customer_id, CURRENT_TIMESTAMP
    FROM customer_contacts c
    JOIN customer_duplicate_keys shared ON shared.account_id = c.account_id
        AND shared.reason = c.kind AND shared.match_key = c.match_key;
