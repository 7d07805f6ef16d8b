-- varchar(n) rejects a longer value (22001), but an explicit cast truncates.
CREATE TABLE accounts (id int PRIMARY KEY, currency varchar(3));
INSERT INTO accounts VALUES (1, 'EUR');
INSERT INTO accounts VALUES (2, 'EURO');
INSERT INTO accounts VALUES (3, 'EURO'::varchar(3));
INSERT INTO accounts VALUES (4, 'US ');
SELECT id, currency, length(currency) FROM accounts ORDER BY id;
