-- INSERT ... RETURNING gives the stored row, defaults and expressions included, in VALUES order.
CREATE TABLE transfers (id bigint PRIMARY KEY, amount bigint NOT NULL, status text NOT NULL DEFAULT 'pending');
INSERT INTO transfers (id, amount) VALUES (2, 500), (1, 250) RETURNING id, amount, status;
INSERT INTO transfers VALUES (3, 10, 'done') RETURNING *;
INSERT INTO transfers (id, amount) VALUES (4, 7) RETURNING id * 10 AS tenfold, amount + 1 AS next, status;
