-- Column defaults fill omitted columns and DEFAULT in VALUES.
CREATE TABLE transfers (
  id bigint PRIMARY KEY,
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  fee numeric(10, 2) DEFAULT 0.5,
  flagged boolean DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO transfers (id) VALUES (1);
INSERT INTO transfers VALUES (2, DEFAULT, 3, DEFAULT, true);
INSERT INTO transfers (id, status, fee) VALUES (3, 'done', NULL);
SELECT id, status, attempts, fee, flagged FROM transfers ORDER BY id;
SELECT count(*) FROM transfers WHERE created_at IS NOT NULL;
