-- BETWEEN is inclusive at both ends; NOT BETWEEN is its opposite.
CREATE TABLE ledger (id int PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO ledger VALUES (1, 5), (2, 10), (3, 15), (4, 20), (5, 25);
SELECT id FROM ledger WHERE amount BETWEEN 10 AND 20 ORDER BY id;
SELECT id FROM ledger WHERE amount NOT BETWEEN 10 AND 20 ORDER BY id;
SELECT id FROM ledger WHERE amount BETWEEN 20 AND 10 ORDER BY id;
