-- 23502 on the first NULL of several NOT NULL columns.
CREATE TABLE transfers (id int PRIMARY KEY, from_account text NOT NULL, to_account text NOT NULL, amount bigint NOT NULL);
INSERT INTO transfers (id, amount) VALUES (1, 10);
INSERT INTO transfers VALUES (2, 'a', 'b', NULL);
INSERT INTO transfers VALUES (3, 'a', 'b', 10);
SELECT id FROM transfers;
