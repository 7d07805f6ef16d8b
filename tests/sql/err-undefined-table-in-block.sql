-- 42P01 inside a block fails the block (25P02 after it).
BEGIN;
SELECT * FROM nope;
SELECT 1;
ROLLBACK;
SELECT 2;
