-- NOT NULL rejects NULL given or left out without a default (23502).
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL DEFAULT 0);
INSERT INTO accounts (id) VALUES (1);
INSERT INTO accounts VALUES (2, NULL, 0);
INSERT INTO accounts (id, owner) VALUES (3, 'carol');
UPDATE accounts SET balance = NULL WHERE id = 3;
SELECT id, owner, balance FROM accounts ORDER BY id;
