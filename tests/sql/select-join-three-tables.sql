-- A join across three tables on their keys.
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL);
CREATE TABLE transfers (id int PRIMARY KEY, from_id int NOT NULL REFERENCES accounts, to_id int NOT NULL REFERENCES accounts, amount bigint NOT NULL);
CREATE TABLE keys (key text PRIMARY KEY, transfer_id int REFERENCES transfers);
INSERT INTO accounts VALUES (1, 'alice'), (2, 'bob');
INSERT INTO transfers VALUES (1, 1, 2, 25), (2, 2, 1, 5);
INSERT INTO keys VALUES ('k1', 1), ('k2', 2), ('k3', NULL);
SELECT k.key, f.owner, t2.owner, t.amount FROM keys k JOIN transfers t ON t.id = k.transfer_id JOIN accounts f ON f.id = t.from_id JOIN accounts t2 ON t2.id = t.to_id ORDER BY k.key;
