-- integer holds 32 bits and bigint 64: past them, 22003.
CREATE TABLE counters (id int PRIMARY KEY, small integer, big bigint);
INSERT INTO counters VALUES (1, 2147483647, 9223372036854775807);
INSERT INTO counters VALUES (2, 2147483648, 0);
UPDATE counters SET small = small + 1 WHERE id = 1;
UPDATE counters SET big = big + 1 WHERE id = 1;
SELECT id, small, big FROM counters ORDER BY id;
