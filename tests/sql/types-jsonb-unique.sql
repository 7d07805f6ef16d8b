-- A unique jsonb column compares values: 1.0 and 1 are the same key.
CREATE TABLE seen (body jsonb PRIMARY KEY);
INSERT INTO seen VALUES ('{"a": 1, "b": [1, 2]}');
INSERT INTO seen VALUES ('{"b": [1, 2], "a": 1.0}');
INSERT INTO seen VALUES ('{"a": 1, "b": [2, 1]}');
INSERT INTO seen VALUES ('{"a": 1, "b": [1, 2]}') ON CONFLICT (body) DO NOTHING;
SELECT body FROM seen ORDER BY body;
SELECT '{"x": "\u00e9\t", "y": 1e3, "z": -0.50, "w": [1E-2, -0]}'::jsonb;
SELECT '[1,2'::jsonb;
