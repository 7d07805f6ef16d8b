-- Explicit casts between text and numbers, and their failures.
SELECT '42'::bigint + 1, 42::text || '!', '3.10'::numeric, CAST('7' AS integer), true::text;
SELECT 'x'::integer;
SELECT 2.5::integer, 3.5::integer, (-2.5)::integer;
