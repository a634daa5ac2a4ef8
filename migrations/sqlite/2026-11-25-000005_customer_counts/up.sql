-- How many customers each account has, kept in the same transaction as every create and delete,
-- so the unfiltered customer list reads its total instead of counting (O(1) at a million rows).
ALTER TABLE accounts ADD COLUMN customers_count BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET customers_count = (
  SELECT count(*) FROM customers WHERE customers.account_id = accounts.id
);
