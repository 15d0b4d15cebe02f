-- Every compared indicator as of ${as_of}, one row per account (view `indicators`), from the views
-- accounts, subscriptions, invoices, usage_events (through usage_classified and usage_indicators),
-- support_tickets and surveys. Columns are named as in customer_features; an account without rows in
-- a source gets the indicator's documented empty value (0, or null where docs/indicators.md says so).

-- Subscriptions: a subscription counts when it started before the as-of date D; an end on or after D
-- was not known yet (capped to D: it still covered the day before). "Now" describes the account's
-- last covered day before D: the subscriptions whose known end is the latest known end.
CREATE OR REPLACE TEMP VIEW subscription_rows AS
WITH s AS (
  SELECT account_id, start_date, end_date, mrr, seats, discount_pct, plan, billing_period_months,
         CASE WHEN discount_pct > 0 THEN discount_end_date END AS offer_end,
         least(coalesce(end_date, DATE '${as_of}'), DATE '${as_of}') AS known_end
  FROM subscriptions
  WHERE start_date < DATE '${as_of}'),
per_account AS (
  SELECT account_id, max(known_end) AS covered_until, min(start_date) AS first_start
  FROM s GROUP BY account_id)
SELECT s.*, p.covered_until, p.first_start,
       s.known_end = p.covered_until AND s.start_date < p.covered_until AS described,
       s.start_date = p.first_start AS first_day,
       s.start_date <= DATE '${as_of}' - 90 AND s.known_end > DATE '${as_of}' - 90 AS covers_90,
       -- Next renewal: the first start + k billing periods (k >= 0) on or after D. With m the months
       -- from the start's month to D's month, k is m // period or the one after.
       CASE WHEN s.billing_period_months > 0 THEN
         CASE WHEN CAST(s.start_date + to_months(CAST(date_diff('month', s.start_date, DATE '${as_of}')
                        // s.billing_period_months * s.billing_period_months AS INTEGER)) AS DATE) >= DATE '${as_of}'
              THEN CAST(s.start_date + to_months(CAST(date_diff('month', s.start_date, DATE '${as_of}')
                        // s.billing_period_months * s.billing_period_months AS INTEGER)) AS DATE)
              ELSE CAST(s.start_date + to_months(CAST((date_diff('month', s.start_date, DATE '${as_of}')
                        // s.billing_period_months + 1) * s.billing_period_months AS INTEGER)) AS DATE)
         END
       END AS renewal
FROM s JOIN per_account p USING (account_id);

CREATE OR REPLACE TEMP VIEW subscription_indicators AS
WITH agg AS (
  SELECT account_id,
         sum(mrr) FILTER (WHERE described) AS mrr,
         CAST(sum(seats) FILTER (WHERE described) AS INTEGER) AS seats,
         max(discount_pct) FILTER (WHERE described) AS discount_pct,
         arg_max(plan, mrr) FILTER (WHERE described) AS plan,
         arg_max(billing_period_months, mrr) FILTER (WHERE described) AS billing_period_months,
         arg_max(renewal, mrr) FILTER (WHERE described) AS renewal,
         min(offer_end) FILTER (WHERE described AND offer_end >= DATE '${as_of}') AS offer_end,
         max(covered_until) AS covered_until,
         sum(mrr) FILTER (WHERE first_day) AS first_mrr,
         CAST(sum(seats) FILTER (WHERE first_day) AS INTEGER) AS first_seats,
         max(discount_pct) FILTER (WHERE first_day) AS first_discount_pct,
         arg_max(plan, mrr) FILTER (WHERE first_day) AS first_plan,
         sum(mrr) FILTER (WHERE covers_90) AS mrr_90,
         CAST(sum(seats) FILTER (WHERE covers_90) AS INTEGER) AS seats_90
  FROM subscription_rows
  GROUP BY account_id),
discount_end AS (
  -- The latest end (known: before D) of a subscription with a larger discount than today's.
  SELECT r.account_id, max(r.end_date) AS discount_end
  FROM subscription_rows r JOIN agg a USING (account_id)
  WHERE r.end_date < DATE '${as_of}' AND r.discount_pct > coalesce(a.discount_pct, 0.0)
  GROUP BY r.account_id),
start_days AS (
  SELECT DISTINCT account_id, start_date AS day
  FROM subscription_rows
  WHERE start_date >= DATE '${as_of}' - 90 AND start_date > first_start),
moves AS (
  -- MRR covering each start day against the MRR covering the day before.
  SELECT d.account_id, d.day,
         coalesce(sum(r.mrr) FILTER (WHERE r.start_date <= d.day AND r.known_end > d.day), 0.0) AS mrr_after,
         coalesce(sum(r.mrr) FILTER (WHERE r.start_date <= d.day - 1 AND r.known_end > d.day - 1), 0.0) AS mrr_before
  FROM start_days d JOIN subscription_rows r USING (account_id)
  GROUP BY d.account_id, d.day),
move_counts AS (
  SELECT account_id,
         count(*) FILTER (WHERE mrr_after > mrr_before AND mrr_before > 0) AS upgrades_90d,
         count(*) FILTER (WHERE mrr_after < mrr_before AND mrr_after > 0) AS downgrades_90d
  FROM moves GROUP BY account_id)
SELECT a.account_id,
       coalesce(a.mrr, 0.0) AS mrr,
       a.seats,
       CASE WHEN a.seats IS NULL THEN 1 ELSE 0 END AS seats_unknown,
       coalesce(a.discount_pct, 0.0) AS discount_pct,
       a.plan,
       a.billing_period_months,
       CASE WHEN a.covered_until = DATE '${as_of}' THEN date_diff('day', DATE '${as_of}', a.renewal) END
           AS days_to_renewal,
       CASE WHEN a.covered_until = DATE '${as_of}' AND a.billing_period_months > 1
            THEN date_diff('day', DATE '${as_of}', a.renewal) END AS days_to_term_renewal,
       a.first_plan,
       a.first_mrr,
       a.first_seats,
       coalesce(a.first_discount_pct, 0.0) AS first_discount_pct,
       CASE WHEN (CASE WHEN a.first_seats > 0 THEN a.first_mrr / a.first_seats ELSE a.first_mrr END) > 0
            THEN (CASE WHEN a.seats > 0 THEN a.mrr / a.seats ELSE a.mrr END)
                 / (CASE WHEN a.first_seats > 0 THEN a.first_mrr / a.first_seats ELSE a.first_mrr END) - 1
       END AS price_change_since_signup,
       CASE WHEN a.mrr_90 > 0 THEN (coalesce(a.mrr, 0.0) - a.mrr_90) / a.mrr_90 END AS mrr_change_90d,
       a.seats - a.seats_90 AS seats_change_90d,
       coalesce(m.upgrades_90d, 0) AS upgrades_90d,
       coalesce(m.downgrades_90d, 0) AS downgrades_90d,
       CASE WHEN e.discount_end >= DATE '${as_of}' - 90 THEN 1 ELSE 0 END AS discount_ended_90d,
       date_diff('day', e.discount_end, DATE '${as_of}') AS days_since_discount_end,
       CASE WHEN a.covered_until = DATE '${as_of}' THEN date_diff('day', DATE '${as_of}', a.offer_end) END
           AS days_to_discount_end
FROM agg a
LEFT JOIN move_counts m USING (account_id)
LEFT JOIN discount_end e USING (account_id);

-- Invoices issued before D. Unpaid at D: no paid_date, or paid on or after D (status is never read).
-- A negative amount is a credit note: a refund, never an unpaid invoice.
CREATE OR REPLACE TEMP VIEW payment_indicators AS
SELECT account_id,
       count(*) FILTER (WHERE recent AND unpaid) AS unpaid_invoices_90d,
       count(*) FILTER (WHERE recent AND amount > 0 AND paid_date < DATE '${as_of}'
                        AND date_diff('day', issued_date, paid_date) > 30) AS late_payments_90d,
       coalesce(sum(amount) FILTER (WHERE unpaid), 0.0) AS unpaid_amount,
       coalesce(max(date_diff('day', issued_date, DATE '${as_of}')) FILTER (WHERE unpaid), 0) AS oldest_unpaid_days,
       count(*) FILTER (WHERE recent AND amount < 0) AS refunds_90d,
       -- invoices of the last year old enough to judge: the share not paid within 7 days of issue
       CAST(count(*) FILTER (WHERE judged AND (unpaid OR date_diff('day', issued_date, paid_date) > 7)) AS DOUBLE)
           / nullif(count(*) FILTER (WHERE judged), 0) AS slow_payment_share_365d
FROM (SELECT account_id, issued_date, paid_date, amount,
             amount > 0 AND issued_date >= DATE '${as_of}' - 365
                 AND issued_date < DATE '${as_of}' - 7 AS judged,
             issued_date >= DATE '${as_of}' - 90 AS recent,
             amount > 0 AND (paid_date IS NULL OR paid_date >= DATE '${as_of}') AS unpaid
      FROM invoices
      WHERE issued_date < DATE '${as_of}')
GROUP BY account_id;

-- Tickets opened in the 365 days before D; closed at D means closed on a day before D.
CREATE OR REPLACE TEMP VIEW support_indicators AS
SELECT account_id,
       count(*) FILTER (WHERE recent) AS tickets_90d,
       count(*) FILTER (WHERE recent AND priority IN ('urgent', 'high', 'critical')) AS urgent_tickets_90d,
       count(*) FILTER (WHERE NOT closed) AS open_tickets,
       avg((epoch(closed_at) - epoch(opened_at)) / 3600.0) FILTER (WHERE recent AND closed) AS avg_hours_to_close_90d,
       avg(satisfaction) FILTER (WHERE recent AND closed) AS avg_csat_90d,
       count(*) AS tickets_365d,
       avg(satisfaction) FILTER (WHERE closed) AS avg_csat_365d
FROM (SELECT account_id, opened_at, closed_at, priority, satisfaction,
             CAST(opened_at AS DATE) >= DATE '${as_of}' - 90 AS recent,
             coalesce(CAST(closed_at AS DATE) < DATE '${as_of}', false) AS closed
      FROM support_tickets
      WHERE CAST(opened_at AS DATE) < DATE '${as_of}' AND CAST(opened_at AS DATE) >= DATE '${as_of}' - 365)
GROUP BY account_id;

-- NPS answers given on a day before D, latest first (same time: higher score first).
CREATE OR REPLACE TEMP VIEW feedback_indicators AS
SELECT account_id,
       max(nps) FILTER (WHERE n = 1) AS last_nps,
       max(nps) FILTER (WHERE n = 1) - max(nps) FILTER (WHERE n = 2) AS nps_change,
       avg(nps) FILTER (WHERE CAST(responded_at AS DATE) >= DATE '${as_of}' - 365) AS avg_nps_365d
FROM (SELECT account_id, nps, responded_at,
             row_number() OVER (PARTITION BY account_id ORDER BY responded_at DESC, nps DESC) AS n
      FROM surveys
      WHERE CAST(responded_at AS DATE) < DATE '${as_of}')
GROUP BY account_id;

-- Usage since signup: onboarding (first 14 days, days before D only) and first value (first use of a
-- key feature on or after signup; any product feature when no key feature is configured).
CREATE OR REPLACE TEMP VIEW usage_history_indicators AS
SELECT u.account_id,
       count(*) FILTER (WHERE u.event_date < a.signup_date + 14) AS early_events_14d,
       count(DISTINCT u.event_date) FILTER (WHERE u.event_date < a.signup_date + 14) AS early_active_days_14d,
       count(DISTINCT u.feature) FILTER (WHERE u.event_date < a.signup_date + 14) AS early_features_14d,
       count(*) FILTER (WHERE u.event_date < a.signup_date + 14 AND u.key_feature) AS early_key_feature_events_14d,
       date_diff('day', a.signup_date,
                 min(u.event_date) FILTER (WHERE len(${key_features}) = 0 OR u.key_feature)) AS days_to_first_value
FROM usage_classified u JOIN accounts a USING (account_id)
WHERE u.product AND u.event_date >= a.signup_date
GROUP BY u.account_id, a.signup_date;

CREATE OR REPLACE TEMP VIEW indicators AS
SELECT a.account_id,
       -- accounts
       a.employee_count,
       CASE WHEN a.signup_date < DATE '${as_of}' THEN date_diff('day', a.signup_date, DATE '${as_of}') END
           AS tenure_days,
       -- subscriptions
       s.mrr, s.seats, s.seats_unknown, s.discount_pct, s.plan, s.billing_period_months, s.days_to_renewal,
       s.days_to_term_renewal,
       s.first_plan, s.first_mrr, s.first_seats, s.first_discount_pct, s.price_change_since_signup,
       s.mrr_change_90d, s.seats_change_90d, s.upgrades_90d, s.downgrades_90d, s.discount_ended_90d,
       s.days_since_discount_end, s.days_to_discount_end,
       -- usage
       coalesce(h.early_events_14d, 0)::DOUBLE AS early_events_14d,
       coalesce(h.early_active_days_14d, 0) AS early_active_days_14d,
       coalesce(h.early_features_14d, 0) AS early_features_14d,
       coalesce(h.early_key_feature_events_14d, 0)::DOUBLE AS early_key_feature_events_14d,
       h.days_to_first_value,
       CASE WHEN h.days_to_first_value IS NULL THEN 0 ELSE 1 END AS value_reached,
       coalesce(u.active_users_28d, 0) AS active_users_28d,
       coalesce(u.active_users_prev_28d, 0) AS active_users_prev_28d,
       coalesce(u.lost_users_28d, 0) AS lost_users_28d,
       coalesce(u.lost_users_90d, 0) AS lost_users_90d,
       coalesce(u.lost_user_share_90d, 0.0) AS lost_user_share_90d,
       coalesce(u.devices_per_user_28d, 0.0) AS devices_per_user_28d,
       coalesce(u.active_days_28d, 0) AS active_days_28d,
       coalesce(u.active_days_90d, 0) AS active_days_90d,
       coalesce(u.events_28d, 0.0) AS events_28d,
       coalesce(u.events_prev_28d, 0.0) AS events_prev_28d,
       coalesce(u.events_90d, 0.0) AS events_90d,
       coalesce(u.usage_trend_28d, 0.0) AS usage_trend_28d,
       CASE WHEN date_diff('day', a.signup_date, DATE '${as_of}') >= 14
            THEN ln(coalesce(u.events_28d, 0.0) + 1.0) - ln(2.0 * coalesce(h.early_events_14d, 0) + 1.0) END
           AS usage_vs_first_14d,
       CASE WHEN date_diff('day', a.signup_date, DATE '${as_of}') >= 56
            THEN ln(coalesce(u.events_28d, 0.0) + 1.0)
                 - ln(greatest(coalesce(u.lifetime_events, 0.0) - coalesce(u.events_28d, 0.0), 0.0) * 28.0
                      / (date_diff('day', a.signup_date, DATE '${as_of}') - 28) + 1.0) END
           AS usage_vs_history,
       coalesce(u.events_per_active_user_28d, 0.0) AS events_per_active_user_28d,
       coalesce(u.features_used_28d, 0) AS features_used_28d,
       coalesce(u.key_feature_events_28d, 0.0) AS key_feature_events_28d,
       u.key_feature_share_90d,
       coalesce(u.lifetime_events, 0.0) AS lifetime_events,
       coalesce(u.lifetime_key_feature_events, 0.0) AS lifetime_key_feature_events,
       u.key_feature_share_lifetime,
       coalesce(u.intent_events_28d, 0.0) AS intent_events_28d,
       coalesce(u.error_events_28d, 0.0) AS error_events_28d,
       u.days_since_last_activity,
       CASE WHEN s.seats > 0 THEN coalesce(u.active_users_28d, 0) / s.seats END AS seat_utilisation,
       CASE WHEN u.days_since_last_activity IS NULL THEN 1 ELSE 0 END AS never_used,
       -- invoices
       coalesce(p.unpaid_invoices_90d, 0) AS unpaid_invoices_90d,
       coalesce(p.late_payments_90d, 0) AS late_payments_90d,
       coalesce(p.unpaid_amount, 0.0) AS unpaid_amount,
       coalesce(p.oldest_unpaid_days, 0) AS oldest_unpaid_days,
       coalesce(p.refunds_90d, 0) AS refunds_90d,
       p.slow_payment_share_365d,
       -- support tickets
       coalesce(t.tickets_90d, 0) AS tickets_90d,
       coalesce(t.urgent_tickets_90d, 0) AS urgent_tickets_90d,
       coalesce(t.open_tickets, 0) AS open_tickets,
       t.avg_hours_to_close_90d,
       t.avg_csat_90d,
       CASE WHEN t.avg_csat_90d IS NULL THEN 0 ELSE 1 END AS has_rated_ticket_90d,
       coalesce(t.tickets_365d, 0) AS tickets_365d,
       t.avg_csat_365d,
       -- surveys
       f.last_nps,
       f.nps_change,
       CASE WHEN f.last_nps IS NULL THEN 0 ELSE 1 END AS nps_answered,
       f.avg_nps_365d
FROM accounts a
LEFT JOIN subscription_indicators s USING (account_id)
LEFT JOIN usage_history_indicators h USING (account_id)
LEFT JOIN usage_indicators u USING (account_id)
LEFT JOIN payment_indicators p USING (account_id)
LEFT JOIN support_indicators t USING (account_id)
LEFT JOIN feedback_indicators f USING (account_id);
