ALTER TABLE accounts ADD COLUMN customers_count BIGINT NOT NULL DEFAULT 0;
UPDATE accounts SET customers_count = COALESCE(
  (SELECT customers FROM customer_counts WHERE customer_counts.account_id = accounts.id), 0);
DROP TABLE customer_counts;
