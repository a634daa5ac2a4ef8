ALTER TABLE companies DROP COLUMN notes_count;
ALTER TABLE customers DROP COLUMN notes_count;
DROP TABLE notes;
