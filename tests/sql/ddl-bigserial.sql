-- bigserial keys count up from 1, and RETURNING gives the key made.
CREATE TABLE transfers (id bigserial PRIMARY KEY, amount bigint NOT NULL);
INSERT INTO transfers (amount) VALUES (10) RETURNING id;
INSERT INTO transfers (amount) VALUES (20), (30) RETURNING id, amount;
SELECT id, amount FROM transfers ORDER BY id;
