-- GENERATED ALWAYS AS IDENTITY: keys are made, and giving one is refused (428C9).
CREATE TABLE transfers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO transfers (amount) VALUES (10) RETURNING id;
INSERT INTO transfers (id, amount) VALUES (5, 20);
INSERT INTO transfers (id, amount) VALUES (DEFAULT, 25) RETURNING id;
INSERT INTO transfers (amount) VALUES (30) RETURNING id;
INSERT INTO transfers (id, amount) OVERRIDING SYSTEM VALUE VALUES (100, 40) RETURNING id;
INSERT INTO transfers (id, amount) OVERRIDING USER VALUE VALUES (200, 50) RETURNING id;
INSERT INTO transfers (id, amount) SELECT 300, 60;
UPDATE transfers SET id = 7 WHERE amount = 10;
UPDATE transfers SET id = DEFAULT, amount = 11 WHERE amount = 10 RETURNING id, amount;
SELECT id, amount FROM transfers ORDER BY id;
