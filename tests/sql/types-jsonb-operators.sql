-- jsonb operators on stored responses: elements, containment, keys, order.
CREATE TABLE responses (id int PRIMARY KEY, body jsonb NOT NULL);
INSERT INTO responses VALUES
  (1, '{"status": 201, "items": [10, 20, 30], "meta": {"retry": false}}'),
  (2, '{"status": 409, "error": "key reused", "items": []}'),
  (3, '[1, "two", null]'),
  (4, '"text"'),
  (5, '{"status": 201.0}'),
  (6, 'null'),
  (7, '[]');
SELECT id, body -> 'items' -> 1, body -> 'items' -> -1, body -> 'items' ->> 5, body -> 'meta' -> 'retry' FROM responses ORDER BY id;
SELECT id, body -> 0, body ->> 1, body ->> 2 IS NULL FROM responses ORDER BY id;
SELECT id FROM responses WHERE body @> '{"status": 201}' ORDER BY id;
SELECT id FROM responses WHERE '{"status": 201}' <@ body ORDER BY id;
SELECT id FROM responses WHERE body @> '{"meta": {}}' ORDER BY id;
SELECT id FROM responses WHERE body @> '"two"' OR body @> '[null]' ORDER BY id;
SELECT id, body ? 'error', body ? 'two', body ? 'text' FROM responses ORDER BY id;
SELECT id FROM responses ORDER BY body, id;
SELECT id FROM responses WHERE body = '{"status": 201}' ORDER BY id;
SELECT count(*) FROM responses WHERE body -> 'status' = '201';
SELECT body ->> 'status' FROM responses WHERE id = 99;
