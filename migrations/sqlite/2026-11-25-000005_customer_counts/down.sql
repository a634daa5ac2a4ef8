ALTER TABLE accounts DROP COLUMN customers_count;
