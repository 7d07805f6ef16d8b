-- A two-column primary key: the pair is unique, each column alone is not.
CREATE TABLE entries (transfer_id bigint, leg integer, amount bigint NOT NULL, PRIMARY KEY (transfer_id, leg));
INSERT INTO entries VALUES (1, 1, -100), (1, 2, 100), (2, 1, -5);
INSERT INTO entries VALUES (1, 2, 7);
SELECT transfer_id, leg, amount FROM entries ORDER BY transfer_id, leg;
