//! The tables, in types both backends share (`BigInt` ids, `Timestamp` in UTC, `Bool`).
//! Written by hand: `diesel print-schema` would print one backend's view of it.

diesel::table! {
    accounts (id) {
        id -> BigInt,
        name -> Text,
        contact_form_enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        phone_region -> Nullable<Text>,
    }
}

diesel::table! {
    /// How many customers each account has (see `db::accounts::add_customers`).
    customer_counts (account_id) {
        account_id -> BigInt,
        customers -> BigInt,
    }
}

diesel::table! {
    /// Each account's last conversation number (see `db::conversations::reserve_numbers`).
    conversation_numbers (account_id) {
        account_id -> BigInt,
        last_number -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        email_normalized -> Text,
        first_name -> Text,
        last_name -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    account_members (account_id, user_id) {
        account_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> BigInt,
        integration -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    customers (id) {
        id -> BigInt,
        account_id -> BigInt,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        company -> Nullable<Text>,
        avatar -> Nullable<Text>,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        company_id -> Nullable<BigInt>,
        /// A JSON object, source → id; `customer_external_ids` indexes the same pairs.
        external_ids -> Text,
        /// How many notes the customer has, kept by every note written or deleted.
        notes_count -> BigInt,
        /// A JSON array of normalized tags, sorted; `customer_tags` indexes the same pairs.
        tags -> Text,
        /// `name` folded for sorting (`domain::text_fold::sort_key`), kept by every write of it.
        sort_name -> Text,
        /// A JSON object, key → value; `customer_attribute_values` index the same pairs.
        custom_attributes -> Text,
    }
}

diesel::table! {
    /// Which customers carry which tag (see `db::tags`).
    customer_tags (account_id, tag, customer_id) {
        account_id -> BigInt,
        tag -> Text,
        customer_id -> BigInt,
    }
}

diesel::table! {
    /// Which companies carry which tag.
    company_tags (account_id, tag, company_id) {
        account_id -> BigInt,
        tag -> Text,
        company_id -> BigInt,
    }
}

diesel::table! {
    /// Each tag of an account, with how many customers and companies carry it.
    tags (account_id, name) {
        account_id -> BigInt,
        name -> Text,
        customers -> BigInt,
        companies -> BigInt,
    }
}

diesel::table! {
    /// How many customers hold each text value of each custom attribute (migration 21,
    /// `db::custom_attributes`).
    customer_attribute_counts (account_id, key, text_value) {
        account_id -> BigInt,
        key -> Text,
        text_value -> Text,
        customers -> BigInt,
    }
}

diesel::table! {
    /// How many customers hold each number value of each custom attribute (migration 21).
    customer_attribute_number_counts (account_id, key, number_value) {
        account_id -> BigInt,
        key -> Text,
        number_value -> Double,
        customers -> BigInt,
    }
}

diesel::table! {
    customer_external_ids (id) {
        id -> BigInt,
        account_id -> BigInt,
        customer_id -> BigInt,
        source -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Merged customers' ids and the customer each was merged into (see `db::merges`).
    customer_merges (id) {
        id -> BigInt,
        account_id -> BigInt,
        survivor_id -> BigInt,
        merged_at -> Timestamp,
    }
}

diesel::table! {
    customer_contacts (id) {
        id -> BigInt,
        account_id -> BigInt,
        customer_id -> BigInt,
        kind -> Text,
        value -> Text,
        normalized -> Text,
        created_at -> Timestamp,
        domain -> Text,
        match_key -> Text,
    }
}

diesel::table! {
    /// The terms each customer is found by (`domain::search`), kept by every write of its names
    /// or contacts; `term` compares bytewise on both backends.
    customer_search_terms (account_id, term, customer_id) {
        account_id -> BigInt,
        term -> Text,
        customer_id -> BigInt,
    }
}

diesel::table! {
    /// The custom attributes an account defined for its customers or companies.
    custom_attribute_definitions (id) {
        id -> BigInt,
        account_id -> BigInt,
        object_type -> Text,
        key -> Text,
        label -> Text,
        data_type -> Text,
        /// A JSON array: a list's options, in order.
        options -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Customers' custom attribute values, for the list filters (`customers.custom_attributes`
    /// holds what the customer shows): text, lists, booleans and dates as text, numbers as numbers.
    customer_attribute_values (customer_id, key) {
        customer_id -> BigInt,
        key -> Text,
        account_id -> BigInt,
        text_value -> Nullable<Text>,
        number_value -> Nullable<Double>,
    }
}

diesel::table! {
    /// Companies' custom attribute values, as [`customer_attribute_values`].
    company_attribute_values (company_id, key) {
        company_id -> BigInt,
        key -> Text,
        account_id -> BigInt,
        text_value -> Nullable<Text>,
        number_value -> Nullable<Double>,
    }
}

diesel::table! {
    /// Keys two or more customers of an account have shared, once each (see `db::duplicates`).
    customer_duplicate_keys (account_id, reason, match_key) {
        account_id -> BigInt,
        reason -> Text,
        match_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The customers of each key two or more of an account's customers have shared (see
    /// `db::duplicates`).
    customer_duplicate_members (account_id, reason, match_key, customer_id) {
        account_id -> BigInt,
        reason -> Text,
        match_key -> Text,
        customer_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    conversations (id) {
        id -> BigInt,
        account_id -> BigInt,
        number -> BigInt,
        customer_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        channel -> Text,
        status -> Text,
        subject -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        customer_contact_id -> Nullable<BigInt>,
        fingerprint_hash -> Nullable<Text>,
        interactions_count -> BigInt,
    }
}

diesel::table! {
    interactions (id) {
        id -> BigInt,
        account_id -> BigInt,
        conversation_id -> BigInt,
        kind -> Text,
        body -> Text,
        source -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    company_labels (id) {
        id -> BigInt,
        account_id -> BigInt,
        kind -> Text,
        name -> Text,
        color -> Nullable<Text>,
        position -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    companies (id) {
        id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        tier_id -> Nullable<BigInt>,
        status_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        revenue -> Nullable<BigInt>,
        size -> Nullable<BigInt>,
        logo_url -> Nullable<Text>,
        managed_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// How many notes the company has, kept by every note written or deleted.
        notes_count -> BigInt,
        /// A JSON array of normalized tags, sorted; `company_tags` indexes the same pairs.
        tags -> Text,
        /// `name` folded for sorting (`domain::text_fold::sort_key`), kept by every write of it.
        sort_name -> Text,
        /// A JSON object, key → value; `company_attribute_values` index the same pairs.
        custom_attributes -> Text,
    }
}

diesel::table! {
    /// Agents' notes on a customer or a company: exactly one of the two is set.
    notes (id) {
        id -> BigInt,
        account_id -> BigInt,
        customer_id -> Nullable<BigInt>,
        company_id -> Nullable<BigInt>,
        body -> Text,
        author_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    company_keys (id) {
        id -> BigInt,
        account_id -> BigInt,
        company_id -> BigInt,
        kind -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    customer_requests (id) {
        id -> BigInt,
        account_id -> BigInt,
        conversation_id -> BigInt,
        company_id -> Nullable<BigInt>,
        customer_id -> Nullable<BigInt>,
        priority -> BigInt,
        body -> Nullable<Text>,
        creator_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    request_attachments (id) {
        id -> BigInt,
        account_id -> BigInt,
        request_id -> BigInt,
        url -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Stored answers to POSTs sent with an `Idempotency-Key` (see `db::idempotency`).
    idempotency_keys (id) {
        id -> BigInt,
        account_id -> BigInt,
        principal -> Text,
        idempotency_key -> Text,
        request_target -> Text,
        request_hash -> Text,
        lock_id -> Nullable<Text>,
        locked_at -> Nullable<Timestamp>,
        committed_at -> Nullable<Timestamp>,
        response_status -> Nullable<Integer>,
        response_headers -> Nullable<Text>,
        response_body -> Nullable<Binary>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    /// The change feed (see `db::events`).
    events (id) {
        id -> BigInt,
        account_id -> BigInt,
        position -> BigInt,
        public_id -> Text,
        event_type -> Text,
        data -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        account_id -> BigInt,
        url -> Text,
        event_types -> Text,
        enabled -> Bool,
        enabled_at -> Timestamp,
        secret -> Text,
        failing_since -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        account_id -> BigInt,
        endpoint_id -> BigInt,
        event_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claim_id -> Nullable<Text>,
        retry_until -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        response_status -> Nullable<Integer>,
        latency_ms -> Nullable<Integer>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// One row: how far the webhook dispatcher has read the feed.
    webhook_dispatch (id) {
        id -> Integer,
        position -> BigInt,
        event_id -> BigInt,
    }
}

diesel::joinable!(account_members -> accounts (account_id));
diesel::joinable!(account_members -> users (user_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(customers -> accounts (account_id));
diesel::joinable!(customer_counts -> accounts (account_id));
diesel::joinable!(conversation_numbers -> accounts (account_id));
diesel::joinable!(customer_contacts -> customers (customer_id));
diesel::joinable!(customer_search_terms -> customers (customer_id));
diesel::joinable!(customer_attribute_values -> customers (customer_id));
diesel::joinable!(company_attribute_values -> companies (company_id));
diesel::joinable!(customer_external_ids -> customers (customer_id));
diesel::joinable!(customer_merges -> customers (survivor_id));
diesel::joinable!(customer_duplicate_members -> customers (customer_id));
diesel::joinable!(conversations -> customers (customer_id));
diesel::joinable!(conversations -> customer_contacts (customer_contact_id));
diesel::joinable!(interactions -> conversations (conversation_id));
diesel::joinable!(customers -> companies (company_id));
diesel::joinable!(notes -> users (author_id));
diesel::joinable!(company_keys -> companies (company_id));
diesel::joinable!(customer_requests -> conversations (conversation_id));
diesel::joinable!(request_attachments -> customer_requests (request_id));
diesel::joinable!(idempotency_keys -> accounts (account_id));
diesel::joinable!(events -> accounts (account_id));
diesel::joinable!(webhook_endpoints -> accounts (account_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> events (event_id));

// Duplicate names at one email domain are grouped by both (`db::duplicates::all_shared`).
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    customer_contacts::domain,
    customers::name
);

diesel::table! {
    /// Rate-limit counts shared by every instance with `SHARED_RATE_LIMITS` (PostgreSQL,
    /// unlogged; unused on SQLite), one row per key and clock minute: `db::rate_limits`.
    rate_limit_windows (key, window_start) {
        key -> Text,
        window_start -> BigInt,
        count -> Integer,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    customer_counts,
    conversation_numbers,
    users,
    account_members,
    api_tokens,
    settings,
    customers,
    customer_contacts,
    customer_search_terms,
    custom_attribute_definitions,
    customer_attribute_values,
    customer_attribute_counts,
    customer_attribute_number_counts,
    company_attribute_values,
    customer_external_ids,
    customer_merges,
    customer_duplicate_keys,
    customer_duplicate_members,
    conversations,
    interactions,
    company_labels,
    companies,
    company_keys,
    customer_requests,
    request_attachments,
    idempotency_keys,
    events,
    webhook_endpoints,
    webhook_deliveries,
    webhook_dispatch,
    notes,
    customer_tags,
    company_tags,
    tags,
);
