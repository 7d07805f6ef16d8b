-- Creating a table that exists fails with 42P07; IF NOT EXISTS does not.
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE TABLE IF NOT EXISTS accounts (id bigint PRIMARY KEY);
INSERT INTO accounts VALUES (1);
SELECT id FROM accounts;
