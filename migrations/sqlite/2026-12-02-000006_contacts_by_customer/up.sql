-- A customer's contacts in id order straight from the index: one customer's (GET) and a page's
-- (`customer_id IN (…) ORDER BY customer_id, id`) need no sort. The old (customer_id, kind, id)
-- served no query by kind.
DROP INDEX customer_contacts_customer_idx;
CREATE INDEX customer_contacts_customer_idx ON customer_contacts (customer_id, id);
