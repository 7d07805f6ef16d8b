-- Interval literals in their many spellings print as PostgreSQL prints them (IntervalStyle postgres).
SELECT interval '1 day 2 hours', interval '90 minutes', '30 seconds'::interval, interval '-5 minutes';
SELECT interval '1 mon 2 days', interval '1.5 seconds', interval '36 hours', interval '1 week';
SELECT interval '2 years 3 mons 4 days 05:06:07.5', interval '-1 day +2 hours', interval '100 ms', interval '0 seconds';
SELECT interval '5' minute, interval '5 minutes ago', interval '1.5 days', interval '00:10:00';
SELECT interval 'soon';
