-- ORDER BY several keys, DESC, and where NULLs go (last ascending, first descending).
CREATE TABLE transfers (id int PRIMARY KEY, account text, amount bigint);
INSERT INTO transfers VALUES (1, 'b', 10), (2, 'a', 30), (3, 'b', NULL), (4, 'a', 10), (5, NULL, 20);
SELECT id, account, amount FROM transfers ORDER BY account, amount DESC;
SELECT id, amount FROM transfers ORDER BY amount, id;
SELECT id, amount FROM transfers ORDER BY amount DESC, id;
SELECT id, amount FROM transfers ORDER BY amount NULLS FIRST, id;
SELECT id, amount FROM transfers ORDER BY 2 DESC NULLS LAST, 1;
