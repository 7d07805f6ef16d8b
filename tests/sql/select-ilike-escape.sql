-- ILIKE folds case; ESCAPE names the escape character, and a backslash escapes by default.
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO keys VALUES ('pay_1'), ('PAY_2'), ('pay%3'), ('payx4'), ('a\b');
SELECT key FROM keys WHERE key ILIKE 'pay_%' ORDER BY key;
SELECT key FROM keys WHERE key LIKE 'pay\_%' ORDER BY key;
SELECT key FROM keys WHERE key LIKE 'pay#%%' ESCAPE '#' ORDER BY key;
SELECT key FROM keys WHERE key LIKE 'a\\b' ORDER BY key;
SELECT key FROM keys WHERE key LIKE 'a\b' ESCAPE '' ORDER BY key;
SELECT key FROM keys WHERE key NOT ILIKE '%Y_%' ORDER BY key;
SELECT 'abc' LIKE 'a%c', 'abc' LIKE 'a_', 'abc' LIKE '%', '' LIKE '%', '' LIKE '_';
