-- SELECT * returns the columns in table order.
CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance bigint NOT NULL DEFAULT 0);
INSERT INTO accounts (owner, id) VALUES ('bob', 2), ('alice', 1);
SELECT * FROM accounts ORDER BY id;
SELECT a.* FROM accounts a WHERE a.id = 2;
