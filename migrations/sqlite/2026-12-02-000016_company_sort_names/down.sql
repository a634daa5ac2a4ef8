DROP INDEX companies_account_updated_idx;
DROP INDEX companies_account_sort_name_idx;
ALTER TABLE companies DROP COLUMN sort_name;
