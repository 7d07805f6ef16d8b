-- smallint holds 16 bits: past it, 22003; smallserial counts; sums of smallints are bigints.
CREATE TABLE answers (id smallserial PRIMARY KEY, status smallint NOT NULL, retries int2);
INSERT INTO answers (status, retries) VALUES (201, 0), (409, 1), (500, 32767);
INSERT INTO answers (status, retries) VALUES (32768, 0);
INSERT INTO answers (status, retries) VALUES (-32768, -1);
INSERT INTO answers (status, retries) VALUES (-32769, 0);
INSERT INTO answers (status, retries) VALUES ('70000', 0);
UPDATE answers SET retries = 32768 WHERE id = 1;
SELECT id, status, retries FROM answers ORDER BY id;
SELECT sum(status), max(retries), min(status) FROM answers;
SELECT status::int * 1000 FROM answers WHERE id = 1;
SELECT 40000::smallint;
SELECT '12'::int2 + 1, 7::smallint;
