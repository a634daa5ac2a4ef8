DROP TABLE customer_search_terms;
DELETE FROM settings WHERE name = 'search_terms.built';
