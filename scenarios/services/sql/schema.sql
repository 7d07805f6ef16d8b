-- The payment service's migrations: balances that never go below zero,
-- and one row per idempotency key.
CREATE TABLE accounts (
    id      text PRIMARY KEY,
    balance bigint NOT NULL CHECK (balance >= 0)
);
CREATE TABLE idempotency_keys (
    key    text PRIMARY KEY,
    state  text NOT NULL,
    status integer,
    body   text
);
