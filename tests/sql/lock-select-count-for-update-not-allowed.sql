-- FOR UPDATE is not allowed with aggregates (0A000).
CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);
SELECT count(*) FROM accounts FOR UPDATE;
SELECT id FROM accounts FOR UPDATE;
