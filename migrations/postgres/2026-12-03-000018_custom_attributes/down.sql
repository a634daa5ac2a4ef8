DROP TABLE company_attribute_values;
DROP TABLE customer_attribute_values;
ALTER TABLE companies DROP COLUMN custom_attributes;
ALTER TABLE customers DROP COLUMN custom_attributes;
DROP TABLE custom_attribute_definitions;
