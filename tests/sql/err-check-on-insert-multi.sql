-- 23514 from a CHECK on a row of a multi-row insert, and from CHECK (amount > 0).
CREATE TABLE transfers (id int PRIMARY KEY, amount bigint NOT NULL CHECK (amount > 0), currency text NOT NULL CHECK (currency IN ('EUR', 'USD')));
INSERT INTO transfers VALUES (1, 10, 'EUR'), (2, 0, 'EUR');
INSERT INTO transfers VALUES (3, 10, 'GBP');
INSERT INTO transfers VALUES (4, 10, 'USD');
SELECT id, amount, currency FROM transfers ORDER BY id;
