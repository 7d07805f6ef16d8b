-- GENERATED ALWAYS AS IDENTITY: keys are made, and giving one is refused (428C9).
CREATE TABLE transfers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO transfers (amount) VALUES (10) RETURNING id;
INSERT INTO transfers (id, amount) VALUES (5, 20);
INSERT INTO transfers (amount) VALUES (30) RETURNING id;
