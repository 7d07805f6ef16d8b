-- IN and NOT IN over a subquery: a NULL in the list makes NOT IN unknown, and an empty list makes IN false and NOT IN true, even for NULL.
CREATE TABLE transfers (id int PRIMARY KEY, amount bigint NOT NULL);
CREATE TABLE refs (transfer_id int);
INSERT INTO transfers VALUES (1, 10), (2, 20), (3, 30);
SELECT id FROM transfers WHERE id NOT IN (SELECT transfer_id FROM refs) ORDER BY id;
SELECT NULL::int IN (SELECT transfer_id FROM refs) AS in_empty, NULL::int NOT IN (SELECT transfer_id FROM refs) AS not_in_empty;
INSERT INTO refs VALUES (1), (3);
SELECT id FROM transfers WHERE id IN (SELECT transfer_id FROM refs) ORDER BY id;
SELECT id FROM transfers WHERE id NOT IN (SELECT transfer_id FROM refs) ORDER BY id;
INSERT INTO refs VALUES (NULL);
SELECT id FROM transfers WHERE id NOT IN (SELECT transfer_id FROM refs) ORDER BY id;
SELECT id FROM transfers WHERE id IN (SELECT transfer_id FROM refs) ORDER BY id;
