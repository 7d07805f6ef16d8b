-- ON UPDATE CASCADE carries a changed key to the referring rows.
CREATE TABLE payments (id int PRIMARY KEY);
CREATE TABLE refunds (id int PRIMARY KEY, payment_id int REFERENCES payments ON UPDATE CASCADE);
INSERT INTO payments VALUES (1);
INSERT INTO refunds VALUES (1, 1);
UPDATE payments SET id = 2 WHERE id = 1;
SELECT id, payment_id FROM refunds;
