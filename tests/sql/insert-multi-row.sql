-- A multi-row INSERT reports how many rows it added.
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL DEFAULT 0);
INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 0), (3, 'carol', 50);
INSERT INTO accounts (owner, id) VALUES ('dave', 4), ('erin', 5);
SELECT id, owner, balance FROM accounts ORDER BY id;
