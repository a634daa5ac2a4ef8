DROP INDEX customer_contacts_customer_idx;
CREATE INDEX customer_contacts_customer_idx ON customer_contacts (customer_id, kind, id);
