DROP TABLE tags;
DROP TABLE company_tags;
DROP TABLE customer_tags;
ALTER TABLE companies DROP COLUMN tags;
ALTER TABLE customers DROP COLUMN tags;
