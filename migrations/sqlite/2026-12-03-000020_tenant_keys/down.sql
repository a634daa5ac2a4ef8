DROP INDEX request_attachments_request_key;
CREATE UNIQUE INDEX request_attachments_request_key ON request_attachments (request_id);
DROP INDEX webhook_deliveries_endpoint_event;
CREATE UNIQUE INDEX webhook_deliveries_endpoint_event ON webhook_deliveries (endpoint_id, event_id);
DROP INDEX customer_external_ids_source_key;
CREATE UNIQUE INDEX customer_external_ids_source_key ON customer_external_ids (customer_id, source);

UPDATE accounts SET last_conversation_number = (
    SELECT last_number FROM conversation_numbers n WHERE n.account_id = accounts.id)
    WHERE id IN (SELECT account_id FROM conversation_numbers);
DROP TABLE conversation_numbers;
