-- Quoted text: a doubled quote is one quote.
CREATE TABLE notes (id int PRIMARY KEY, body text);
INSERT INTO notes VALUES (1, 'it''s paid'), (2, 'semi;colon'), (3, '"quoted"');
SELECT id, body FROM notes ORDER BY id;
