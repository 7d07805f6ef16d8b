-- Two workers move a transfer from pending to processing: the second re-checks status and gets 0 rows.
CREATE TABLE transfers (id int PRIMARY KEY, status text NOT NULL, worker text);
INSERT INTO transfers VALUES (1, 'pending', NULL);
BEGIN;
UPDATE transfers SET status = 'processing', worker = 'a' WHERE id = 1 AND status = 'pending';
-- b:
BEGIN;
UPDATE transfers SET status = 'processing', worker = 'b' WHERE id = 1 AND status = 'pending';
-- a:
COMMIT;
-- b:
COMMIT;
SELECT id, status, worker FROM transfers;
