-- An interval column stores what is written to it and prints it back; a bad one is refused with 22007.
CREATE TABLE retry_policies (name text PRIMARY KEY, backoff interval NOT NULL);
INSERT INTO retry_policies VALUES ('fast', '250 milliseconds'), ('slow', interval '2 minutes'), ('daily', '1 day');
SELECT name, backoff FROM retry_policies ORDER BY backoff;
SELECT name FROM retry_policies WHERE backoff > interval '1 second' ORDER BY name;
INSERT INTO retry_policies VALUES ('bad', 'whenever');
