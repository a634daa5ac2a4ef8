-- Search (domain::search): the terms each customer is found by, one row each. A query's word is
-- a range of this primary key; its other words are ranges of the (customer_id, term) index.
-- Terms compare bytewise (COLLATE "C"), as on SQLite, so a prefix is one index range. The
-- server fills it for existing customers when it first starts (db::search_terms::build_pending).
CREATE TABLE customer_search_terms (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    term VARCHAR(200) COLLATE "C" NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, term, customer_id)
);
CREATE INDEX customer_search_terms_customer_idx ON customer_search_terms (customer_id, term);
