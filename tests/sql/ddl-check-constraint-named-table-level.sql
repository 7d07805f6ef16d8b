-- A named table-level CHECK over two columns.
CREATE TABLE holds (
  id bigint PRIMARY KEY,
  amount bigint NOT NULL,
  captured bigint NOT NULL DEFAULT 0,
  CONSTRAINT captured_within_amount CHECK (captured >= 0 AND captured <= amount)
);
INSERT INTO holds (id, amount) VALUES (1, 500);
UPDATE holds SET captured = 600 WHERE id = 1;
UPDATE holds SET captured = 500 WHERE id = 1;
INSERT INTO holds VALUES (2, 10, -1);
SELECT id, amount, captured FROM holds ORDER BY id;
