-- 0006_keys: reserved for the keys-per-person migration developed beside
-- this branch; it lands with that work and replaces this placeholder (the
-- numbering must run without gaps for 0007 to apply). It changes nothing.
SELECT 1;
