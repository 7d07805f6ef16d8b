-- A table with every type a payment service uses, a row of each, read back
-- in PostgreSQL's text output forms.
CREATE TABLE payments (
  id bigint PRIMARY KEY,
  attempt integer NOT NULL,
  amount numeric(12, 2) NOT NULL,
  currency varchar(3) NOT NULL,
  note text,
  captured boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  request_id uuid NOT NULL,
  metadata jsonb
);
INSERT INTO payments VALUES (1, 1, 12.5, 'EUR', 'first', true, '2024-03-01 12:30:00+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1, "a": [1, 2]}');
INSERT INTO payments (id, attempt, amount, currency, created_at, request_id) VALUES (2, 2, 7, 'USD', '2024-03-01 13:00:00+02', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12');
SELECT id, attempt, amount, currency, note, captured, created_at, request_id, metadata FROM payments ORDER BY id;
