-- jsonb field access: -> gives jsonb, ->> gives text, a missing key gives NULL.
CREATE TABLE responses (id int PRIMARY KEY, body jsonb);
INSERT INTO responses VALUES (1, '{"status": 201, "transfer": {"id": "t1", "amount": 2500}}');
SELECT body -> 'status', body ->> 'status', body -> 'transfer' ->> 'id', body ->> 'missing' FROM responses WHERE id = 1;
SELECT id FROM responses WHERE body ->> 'status' = '201';
SELECT id FROM responses WHERE (body -> 'transfer' ->> 'amount')::bigint > 1000;
