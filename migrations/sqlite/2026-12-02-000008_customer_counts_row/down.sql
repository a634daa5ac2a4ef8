UPDATE accounts SET customers_count = COALESCE(
  (SELECT customers FROM customer_counts WHERE customer_counts.account_id = accounts.id), 0);
DROP TABLE customer_counts;
