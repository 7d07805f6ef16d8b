-- A multi-row INSERT with one bad row adds no row at all.
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
INSERT INTO accounts VALUES (1, 10), (2, -5), (3, 30);
INSERT INTO accounts VALUES (4, 10), (5, 20), (4, 30);
SELECT count(*) FROM accounts;
