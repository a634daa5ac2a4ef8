ALTER TABLE accounts DROP COLUMN phone_region;
