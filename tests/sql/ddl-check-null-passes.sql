-- A CHECK whose expression is NULL passes: NULL is not false.
CREATE TABLE limits (id int PRIMARY KEY, daily_limit bigint CHECK (daily_limit > 0));
INSERT INTO limits VALUES (1, NULL);
INSERT INTO limits VALUES (2, 0);
INSERT INTO limits VALUES (3, 5);
SELECT id, daily_limit FROM limits ORDER BY id;
