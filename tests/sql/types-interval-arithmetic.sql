-- A timestamp moved by an interval, on the calendar; two timestamps apart; intervals compared with a month as 30 days.
SELECT timestamptz '2024-01-31 10:00:00+00' + interval '1 month';
SELECT timestamptz '2024-03-31 10:00:00+00' - interval '1 mon', timestamptz '2024-01-01 00:00:00+00' + interval '36 hours';
SELECT timestamptz '2024-01-03 00:00:00+00' - timestamptz '2024-01-01 00:30:00+00';
SELECT timestamptz '2024-01-01 00:00:00+00' - timestamptz '2024-01-01 01:30:00+00';
SELECT interval '1 mon' = interval '30 days', interval '25 hours' > interval '1 day', interval '1 day' + interval '2 hours' - interval '30 minutes';
SELECT interval '1 hour' + timestamptz '2024-05-01 23:30:00+00';
