-- SERIALIZABLE on an append-only ledger with a key that is not unique (the race of sql-diesel-serializable): both attempts find the key absent, sum the payer's entries and add entries; the second to commit fails with 40001, and its retry finds the key.
CREATE TABLE entries (id bigserial PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL);
CREATE INDEX entries_account ON entries (account);
CREATE TABLE idempotency_keys (key text NOT NULL, state text NOT NULL, status integer, body text);
INSERT INTO entries (account, amount) VALUES ('alice', 10000), ('bob', 10000);
BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SELECT "idempotency_keys"."state" FROM "idempotency_keys" WHERE ("idempotency_keys"."key" = 'k') LIMIT 1;
-- b:
BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SELECT "idempotency_keys"."state" FROM "idempotency_keys" WHERE ("idempotency_keys"."key" = 'k') LIMIT 1;
-- a:
SELECT "entries"."amount" FROM "entries" WHERE ("entries"."account" = 'alice');
-- b:
SELECT "entries"."amount" FROM "entries" WHERE ("entries"."account" = 'alice');
-- a:
INSERT INTO "entries" ("account", "amount") VALUES ('alice', -2500), ('bob', 2500);
-- b:
INSERT INTO "entries" ("account", "amount") VALUES ('alice', -2500), ('bob', 2500);
-- a:
INSERT INTO "idempotency_keys" ("key", "state") VALUES ('k', 'done');
-- b:
INSERT INTO "idempotency_keys" ("key", "state") VALUES ('k', 'done');
-- a:
COMMIT;
-- b:
COMMIT;
BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SELECT "idempotency_keys"."state" FROM "idempotency_keys" WHERE ("idempotency_keys"."key" = 'k') LIMIT 1;
COMMIT;
SELECT account, sum(amount) FROM entries GROUP BY account ORDER BY account;
