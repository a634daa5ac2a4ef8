-- Distributes supportdesk's PostgreSQL schema on a Citus cluster, by account (docs/SCALING.md,
-- "Distributing by account_id"). Run it once on the coordinator, in the application's
-- database, after `supportdesk migrate` and before the servers start:
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f scripts/citus-distribute.sql
--
-- Reference tables (small, copied to every node, joined locally anywhere): accounts, users and
-- what belongs to users rather than to one account. Every other table is a tenant table
-- (`db::audit::TENANT_TABLES`, checked against this file by tests/api/tenant_keys.rs),
-- distributed by account_id and co-located with customers, so a request's joins and foreign
-- keys stay on its tenant's node. `__diesel_schema_migrations` and the unlogged
-- `rate_limit_windows` stay on the coordinator.
--
-- Citus distributes a table only when no table it references, or that references it, is still
-- a plain table; the tenant tables reference each other in a cycle (customers → companies,
-- companies ← notes ← customers …), so the tenant tables' foreign keys are taken off first,
-- every table distributed, and the same keys put back (Citus checks each as it is added).

BEGIN;
-- Adding foreign keys to tables distributed in this transaction must run shard by shard.
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';

CREATE TEMPORARY TABLE tenant_foreign_keys ON COMMIT DROP AS
    SELECT conrelid::regclass AS tbl, conname, pg_get_constraintdef(oid) AS definition
    FROM pg_constraint
    WHERE contype = 'f' AND connamespace = 'public'::regnamespace
      AND EXISTS (SELECT 1 FROM pg_attribute
                  WHERE attrelid = conrelid AND attname = 'account_id' AND NOT attisdropped)
      AND conrelid <> 'account_members'::regclass;

DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT * FROM tenant_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tbl, fk.conname);
    END LOOP;
END $$;

SELECT create_reference_table('accounts');
SELECT create_reference_table('users');
SELECT create_reference_table('account_members');
SELECT create_reference_table('api_tokens');
SELECT create_reference_table('settings');
SELECT create_reference_table('webhook_dispatch');

SELECT create_distributed_table('company_labels', 'account_id');
SELECT create_distributed_table('companies', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customers', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_contacts', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('conversations', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('interactions', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('company_keys', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_requests', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('request_attachments', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_counts', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('conversation_numbers', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('idempotency_keys', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('events', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('webhook_endpoints', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('webhook_deliveries', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_external_ids', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_merges', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_duplicate_keys', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_duplicate_members', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('notes', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_tags', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('company_tags', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('tags', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_search_terms', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('custom_attribute_definitions', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_attribute_values', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_attribute_counts', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('customer_attribute_number_counts', 'account_id', colocate_with => 'company_labels');
SELECT create_distributed_table('company_attribute_values', 'account_id', colocate_with => 'company_labels');

DO $$
DECLARE fk record;
BEGIN
    FOR fk IN SELECT * FROM tenant_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tbl, fk.conname, fk.definition);
    END LOOP;
END $$;

COMMIT;
