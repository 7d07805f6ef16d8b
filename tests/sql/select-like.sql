-- LIKE with % and _ is case-sensitive.
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO keys VALUES ('pay_1'), ('pay_22'), ('PAY_3'), ('refund_1');
SELECT key FROM keys WHERE key LIKE 'pay_%' ORDER BY key;
SELECT key FROM keys WHERE key LIKE 'pay__' ORDER BY key;
SELECT key FROM keys WHERE key NOT LIKE '%1' ORDER BY key;
