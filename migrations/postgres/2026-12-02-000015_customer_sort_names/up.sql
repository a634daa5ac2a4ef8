-- The customer's name folded for sorting (domain::text_fold: case, accents and widths folded
-- away), compared bytewise on both backends, so `sort=name` orders as a reader expects.
ALTER TABLE customers ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';
-- lower() folds an ASCII name exactly as the server does; the server folds the others when it
-- starts (db::sort_names), as SQL can't decompose accents.
UPDATE customers SET sort_name = substr(lower(name), 1, 200);
CREATE INDEX customers_account_sort_name_idx ON customers (account_id, sort_name, id);
