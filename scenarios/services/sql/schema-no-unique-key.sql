-- The same tables, but the idempotency key is not unique: nothing in the
-- database stops two rows for one key.
CREATE TABLE accounts (
    id      text PRIMARY KEY,
    balance bigint NOT NULL CHECK (balance >= 0)
);
CREATE TABLE idempotency_keys (
    key    text NOT NULL,
    state  text NOT NULL,
    status integer,
    body   text
);
