-- Companies list as customers do (issue 19): by a folded name (see migration 15; the server
-- folds non-ASCII names when it starts), and by when they last changed.
ALTER TABLE companies ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE companies SET sort_name = substr(lower(name), 1, 200);
CREATE INDEX companies_account_sort_name_idx ON companies (account_id, sort_name, id);
CREATE INDEX companies_account_updated_idx ON companies (account_id, updated_at, id);
