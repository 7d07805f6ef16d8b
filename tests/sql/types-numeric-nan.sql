-- numeric accepts NaN, which sorts above every number.
CREATE TABLE fees (id int PRIMARY KEY, fee numeric(5, 2));
INSERT INTO fees VALUES (1, 'NaN'), (2, 3.5);
SELECT id, fee FROM fees ORDER BY fee;
