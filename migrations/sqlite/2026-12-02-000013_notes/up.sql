-- Agents' notes on a customer or a company (markdown), newest first. Each owner keeps its
-- count (notes_count), so no read of a customer or a company pays a statement for it.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    customer_id BIGINT REFERENCES customers (id) ON DELETE CASCADE,
    company_id BIGINT REFERENCES companies (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    author_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((customer_id IS NULL) <> (company_id IS NULL))
);
-- Each owner's notes by id (newest first), and what its delete cascades to.
CREATE INDEX notes_customer_idx ON notes (customer_id, id) WHERE customer_id IS NOT NULL;
CREATE INDEX notes_company_idx ON notes (company_id, id) WHERE company_id IS NOT NULL;
CREATE INDEX notes_author_fk_idx ON notes (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX notes_account_fk_idx ON notes (account_id);

ALTER TABLE customers ADD COLUMN notes_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE companies ADD COLUMN notes_count BIGINT NOT NULL DEFAULT 0;
