-- After an error in a block every statement fails with 25P02 until ROLLBACK.
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO keys VALUES ('k');
BEGIN;
INSERT INTO keys VALUES ('j');
INSERT INTO keys VALUES ('k');
SELECT 1;
INSERT INTO keys VALUES ('m');
ROLLBACK;
SELECT key FROM keys ORDER BY key;
