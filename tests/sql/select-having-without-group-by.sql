-- HAVING without GROUP BY makes one group; HAVING on a count finds duplicated keys.
CREATE TABLE attempts (id int PRIMARY KEY, key text NOT NULL, amount bigint NOT NULL);
INSERT INTO attempts VALUES (1, 'a', 10), (2, 'a', 10), (3, 'b', 20), (4, 'c', 5), (5, 'c', 5), (6, 'c', 5);
SELECT count(*) FROM attempts HAVING count(*) > 3;
SELECT count(*) FROM attempts HAVING count(*) > 10;
SELECT key, count(*) AS n, sum(amount) FROM attempts GROUP BY key HAVING count(*) > 1 AND sum(amount) >= 15 ORDER BY n DESC;
SELECT key FROM attempts GROUP BY key HAVING min(amount) < 10 OR max(amount) = 20 ORDER BY key;
