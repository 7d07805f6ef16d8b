-- Every expression in SET sees the row as it was: a swap works.
CREATE TABLE pairs (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL);
INSERT INTO pairs VALUES (1, 1, 2);
UPDATE pairs SET a = b, b = a WHERE id = 1;
SELECT a, b FROM pairs;
