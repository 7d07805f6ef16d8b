-- IN and NOT IN, and NOT IN with a NULL in the list, which matches nothing.
CREATE TABLE transfers (id int PRIMARY KEY, status text);
INSERT INTO transfers VALUES (1, 'pending'), (2, 'done'), (3, 'failed'), (4, NULL);
SELECT id FROM transfers WHERE status IN ('pending', 'failed') ORDER BY id;
SELECT id FROM transfers WHERE status NOT IN ('pending', 'failed') ORDER BY id;
SELECT id FROM transfers WHERE status NOT IN ('pending', NULL) ORDER BY id;
SELECT id FROM transfers WHERE id IN (1, 3, 99) ORDER BY id;
