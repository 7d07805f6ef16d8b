-- An append-only ledger: a transfer adds two entries, and an account's
-- balance is the sum of its entries. No row is ever updated, so no row lock
-- stands between two payments; and the idempotency key is not unique.
CREATE TABLE entries (
    id      bigserial PRIMARY KEY,
    account text NOT NULL,
    amount  bigint NOT NULL
);
CREATE INDEX entries_account ON entries (account);
CREATE TABLE idempotency_keys (
    key    text NOT NULL,
    state  text NOT NULL,
    status integer,
    body   text
);
