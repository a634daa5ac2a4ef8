-- Deleting or re-keying a parent finds its children through the foreign key's own column; the
-- tenant indexes start with account_id, so without these each such delete read the whole child
-- table (a customer's delete: every conversation, once per contact it had). Partial: most rows
-- have no such reference, and `col = ?` implies `col IS NOT NULL`.
CREATE INDEX customers_company_fk_idx ON customers (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX conversations_customer_fk_idx ON conversations (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX conversations_contact_fk_idx ON conversations (customer_contact_id) WHERE customer_contact_id IS NOT NULL;
CREATE INDEX conversations_user_fk_idx ON conversations (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX interactions_conversation_fk_idx ON interactions (conversation_id);
CREATE INDEX interactions_user_fk_idx ON interactions (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX companies_owner_fk_idx ON companies (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX customer_requests_creator_fk_idx ON customer_requests (creator_id) WHERE creator_id IS NOT NULL;
CREATE INDEX customer_requests_customer_fk_idx ON customer_requests (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX customer_requests_company_fk_idx ON customer_requests (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX customer_requests_conversation_fk_idx ON customer_requests (conversation_id);
CREATE INDEX request_attachments_account_fk_idx ON request_attachments (account_id);
