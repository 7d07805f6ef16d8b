-- DDL is transactional: a table created in a rolled-back block is gone.
BEGIN;
CREATE TABLE temp_accounts (id int PRIMARY KEY);
INSERT INTO temp_accounts VALUES (1);
SELECT count(*) FROM temp_accounts;
ROLLBACK;
SELECT count(*) FROM temp_accounts;
