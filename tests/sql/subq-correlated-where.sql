-- Correlated subqueries in WHERE: NOT EXISTS, EXISTS, IN and a scalar naming the outer row.
CREATE TABLE transfers (id int PRIMARY KEY, payer text NOT NULL, amount bigint NOT NULL);
CREATE TABLE refunds (id int PRIMARY KEY, transfer_id int NOT NULL, amount bigint NOT NULL);
INSERT INTO transfers VALUES (1, 'alice', 100), (2, 'bob', 50), (3, 'alice', 70), (4, 'carol', 10);
INSERT INTO refunds VALUES (1, 1, 30), (2, 1, 70), (3, 3, 5);
SELECT id FROM transfers t WHERE NOT EXISTS (SELECT 1 FROM refunds r WHERE r.transfer_id = t.id) ORDER BY id;
SELECT id FROM transfers t WHERE EXISTS (SELECT 1 FROM refunds WHERE transfer_id = t.id AND amount > 10) ORDER BY id;
SELECT id FROM transfers t WHERE t.amount = (SELECT sum(amount) FROM refunds r WHERE r.transfer_id = t.id) ORDER BY id;
SELECT id FROM transfers t WHERE amount > (SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.transfer_id = t.id) ORDER BY id;
SELECT id FROM transfers t WHERE 70 IN (SELECT amount FROM refunds r WHERE r.transfer_id = t.id) ORDER BY id;
SELECT id FROM transfers t WHERE t.id NOT IN (SELECT transfer_id FROM refunds r WHERE r.amount < t.amount) ORDER BY id;
SELECT id FROM transfers WHERE id = (SELECT max(id) FROM refunds WHERE transfer_id = transfers.id) ORDER BY id;
SELECT t.id FROM transfers t JOIN transfers u ON u.id = t.id + 2 WHERE NOT EXISTS (SELECT 1 FROM refunds r WHERE r.transfer_id = u.id) ORDER BY t.id;
SELECT id FROM transfers t WHERE EXISTS (SELECT 1 FROM refunds r WHERE r.transfer_id = t.id AND r.nope = 1);
SELECT id FROM transfers t WHERE EXISTS (SELECT 1 FROM refunds r WHERE r.transfer_id = t.nope);
