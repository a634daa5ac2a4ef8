DROP INDEX customers_account_sort_name_idx;
ALTER TABLE customers DROP COLUMN sort_name;
