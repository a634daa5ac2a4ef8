-- How many customers hold each text value (text, list option, true/false, date) of each custom
-- attribute: an equality filter's total without counting its range of the value index (90,000
-- entries for a common option at 1M customers). Kept in the transaction of every write of the
-- values, as the tags' counts are (db::custom_attributes). Numbers are not counted: a number is
-- filtered by ranges, which a count per value can't answer.
CREATE TABLE customer_attribute_counts (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key VARCHAR(50) NOT NULL,
    text_value VARCHAR(200) COLLATE "C" NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (account_id, key, text_value)
);

INSERT INTO customer_attribute_counts (account_id, key, text_value, customers)
SELECT account_id, key, text_value, COUNT(*)
FROM customer_attribute_values
WHERE text_value IS NOT NULL
GROUP BY account_id, key, text_value;
