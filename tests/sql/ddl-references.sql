-- REFERENCES: a child row needs its parent (23503); NULL references nothing.
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL);
CREATE TABLE transfers (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id), amount bigint NOT NULL);
INSERT INTO accounts VALUES (1, 'alice');
INSERT INTO transfers VALUES (1, 1, 50);
INSERT INTO transfers VALUES (2, 2, 50);
INSERT INTO transfers VALUES (3, NULL, 50);
SELECT id, account_id, amount FROM transfers ORDER BY id;
