DROP TABLE customer_attribute_counts;
