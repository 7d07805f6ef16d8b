-- Outside a block each statement is its own transaction: a failing one leaves no trace, the next runs.
CREATE TABLE keys (key text PRIMARY KEY);
INSERT INTO keys VALUES ('a');
INSERT INTO keys VALUES ('b'), ('a');
INSERT INTO keys VALUES ('c');
SELECT key FROM keys ORDER BY key;
