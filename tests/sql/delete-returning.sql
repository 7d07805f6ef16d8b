-- DELETE ... RETURNING gives the deleted row.
CREATE TABLE holds (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO holds VALUES (1, 10), (2, 20), (3, 30);
DELETE FROM holds WHERE id = 2 RETURNING id, amount;
DELETE FROM holds WHERE id = 2 RETURNING id, amount;
DELETE FROM holds WHERE amount > 5;
SELECT count(*) FROM holds;
