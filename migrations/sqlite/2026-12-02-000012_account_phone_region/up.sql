-- An account's default region for phones written without a country code (domain::phone):
-- with one, phones are compared as E.164; without, by their digits.
ALTER TABLE accounts ADD COLUMN phone_region VARCHAR(2);
