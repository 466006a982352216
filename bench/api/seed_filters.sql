-- Gives the checks a bench created (lokahictl create_load) what List's filters look at, spread
-- like a real fleet: run with `psql "$DATABASE_URL" -f bench/api/seed_filters.sql`, then
-- `ANALYZE`. 8 teams (payments 1/8), env prod/staging/dev, a name "api-<id>" (1/4) or "web-<id>"
-- (names are unique), and 2 % of the checks DOWN.
UPDATE checks SET
  labels = jsonb_build_object(
    'team', (ARRAY['payments', 'search', 'ads', 'infra', 'mail', 'video', 'maps', 'auth'])
              [1 + abs(hashtext(id::text)) % 8],
    'env', (ARRAY['prod', 'staging', 'dev'])[1 + abs(hashtext(id::text || 'env')) % 3]),
  name = (CASE WHEN abs(hashtext(id::text || 'kind')) % 4 = 0 THEN 'api-' ELSE 'web-' END)
         || id::text;
UPDATE check_states SET state = 2 WHERE abs(hashtext(check_id::text || 'down')) % 50 = 0;
ANALYZE checks;
ANALYZE check_states;
