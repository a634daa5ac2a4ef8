DROP TABLE settings;
DROP TABLE api_tokens;
DROP TABLE account_members;
DROP TABLE users;
DROP TABLE accounts;
