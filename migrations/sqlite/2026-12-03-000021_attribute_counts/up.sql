-- How many customers hold each value of each custom attribute: a list filter's total by one
-- attribute, equal or in a range, without counting that range of the value index (90,000 entries
-- for a common option at 1M customers; a range sums one row per distinct value in it instead).
-- Kept in the transaction of every write of the values, as the tags' counts are
-- (db::custom_attributes). Text values (text, list options, true/false, YYYY-MM-DD dates, which
-- order as dates do) in one table, numbers in the other.
CREATE TABLE customer_attribute_counts (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key VARCHAR(50) NOT NULL,
    text_value VARCHAR(200) NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (account_id, key, text_value)
) WITHOUT ROWID;

CREATE TABLE customer_attribute_number_counts (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key VARCHAR(50) NOT NULL,
    number_value REAL NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (account_id, key, number_value)
) WITHOUT ROWID;

INSERT INTO customer_attribute_counts (account_id, key, text_value, customers)
SELECT account_id, key, text_value, COUNT(*)
FROM customer_attribute_values
WHERE text_value IS NOT NULL
GROUP BY account_id, key, text_value;

INSERT INTO customer_attribute_number_counts (account_id, key, number_value, customers)
SELECT account_id, key, number_value, COUNT(*)
FROM customer_attribute_values
WHERE number_value IS NOT NULL
GROUP BY account_id, key, number_value;
