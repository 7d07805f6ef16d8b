-- DO UPDATE ... WHERE is evaluated on the row committed by the transaction waited for.
CREATE TABLE keys (key text PRIMARY KEY, status text NOT NULL);
INSERT INTO keys VALUES ('k', 'started');
BEGIN;
UPDATE keys SET status = 'done' WHERE key = 'k';
-- b:
INSERT INTO keys VALUES ('k', 'started') ON CONFLICT (key) DO UPDATE SET status = 'retrying' WHERE keys.status <> 'done' RETURNING status;
-- a:
COMMIT;
SELECT key, status FROM keys;
