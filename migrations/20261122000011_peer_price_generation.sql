-- The audit's peer groups are kept in memory until dashboard_generation moves
-- (app/src/ssr/db/peers.rs). Every change to what they hold moves it through the dashboard
-- totals — lines added, removed or re-categorised, quotes confirmed, deleted or moved to
-- another facility type — except a line's comparable price changed alone, which no total counts.
CREATE TRIGGER peer_price_changed AFTER UPDATE OF comparable_price ON quote_lines
WHEN old.comparable_price IS NOT new.comparable_price BEGIN
    UPDATE dashboard_generation SET generation = generation + 1;
END;
