-- The customer count leaves the accounts row: a create took that row's lock to count itself and
-- kept it to commit, so one account's creates ran one at a time (and queued behind conversation
-- creates, which lock the row for their number). Its own row, taken as a create's last step,
-- is held only while the transaction commits.
CREATE TABLE customer_counts (
  account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  customers BIGINT NOT NULL
);
INSERT INTO customer_counts (account_id, customers)
  SELECT id, customers_count FROM accounts WHERE customers_count <> 0;
-- accounts.customers_count stays for now, unused, so a server of the previous release still
-- runs on this schema (a rolling deploy, an A/B benchmark); a later migration drops it.
