-- Windowed usage indicators as of ${as_of}, from the view
-- usage_events(account_id, event_id, feature, user_id, device_id, event_date).
-- Only days strictly before the as-of date count; "last 28 days" are days_before 1..28 (as_of - 28 ..
-- as_of - 1), "days 29-56 before" days_before 29..56, "last 90 days" days_before 1..90.
-- Intent and error events are counted on their own and never as product usage.

CREATE OR REPLACE TEMP VIEW usage_classified AS
SELECT account_id, feature, user_id, device_id, event_date,
       date_diff('day', event_date, DATE '${as_of}') AS days_before,
       list_contains(${intent_features}, feature) AS intent,
       list_contains(${error_features}, feature) AS error,
       NOT (list_contains(${intent_features}, feature) OR list_contains(${error_features}, feature)) AS product,
       list_contains(${key_features}, feature) AS key_feature
FROM usage_events
WHERE event_date < DATE '${as_of}';

CREATE OR REPLACE TEMP VIEW usage_indicators AS
WITH windows AS (
  SELECT account_id,
         count(*) FILTER (WHERE product AND days_before <= 28) AS events_28d,
         count(*) FILTER (WHERE product AND days_before BETWEEN 29 AND 56) AS events_prev_28d,
         count(*) FILTER (WHERE product AND days_before <= 90) AS events_90d,
         count(DISTINCT event_date) FILTER (WHERE product AND days_before <= 28) AS active_days_28d,
         count(DISTINCT event_date) FILTER (WHERE product AND days_before <= 90) AS active_days_90d,
         count(DISTINCT feature) FILTER (WHERE product AND days_before <= 28) AS features_used_28d,
         count(*) FILTER (WHERE product AND key_feature AND days_before <= 28) AS key_feature_events_28d,
         count(*) FILTER (WHERE product AND key_feature AND days_before <= 90) AS key_feature_events_90d,
         count(*) FILTER (WHERE product) AS lifetime_events,
         count(*) FILTER (WHERE product AND key_feature) AS lifetime_key_feature_events,
         count(*) FILTER (WHERE intent AND days_before <= 28) AS intent_events_28d,
         count(*) FILTER (WHERE error AND days_before <= 28) AS error_events_28d,
         count(DISTINCT user_id) FILTER (WHERE product AND days_before <= 28) AS active_users_28d,
         count(DISTINCT user_id) FILTER (WHERE product AND days_before BETWEEN 29 AND 56) AS active_users_prev_28d,
         count(DISTINCT (user_id, coalesce(device_id, '')))
             FILTER (WHERE product AND user_id IS NOT NULL AND days_before <= 28) AS user_devices_28d,
         max(event_date) FILTER (WHERE product) AS last_active_date
  FROM usage_classified
  GROUP BY account_id),
per_user AS (
  SELECT account_id, user_id,
         bool_or(days_before <= 28) AS now_active,
         bool_or(days_before BETWEEN 29 AND 56) AS active_29_56,
         count(*) FILTER (WHERE days_before BETWEEN 29 AND 90) AS earlier_events
  FROM usage_classified
  WHERE product AND user_id IS NOT NULL AND days_before <= 90
  GROUP BY account_id, user_id),
users AS (
  SELECT account_id,
         count(*) FILTER (WHERE active_29_56 AND NOT now_active) AS lost_users_28d,
         count(*) FILTER (WHERE earlier_events > 0 AND NOT now_active) AS lost_users_90d,
         CASE WHEN sum(earlier_events) > 0
              THEN sum(earlier_events) FILTER (WHERE NOT now_active) / sum(earlier_events) ELSE 0.0 END
             AS lost_user_share_90d
  FROM per_user
  GROUP BY account_id)
SELECT w.account_id,
       w.active_users_28d,
       w.active_users_prev_28d,
       coalesce(u.lost_users_28d, 0) AS lost_users_28d,
       coalesce(u.lost_users_90d, 0) AS lost_users_90d,
       coalesce(u.lost_user_share_90d, 0.0) AS lost_user_share_90d,
       CASE WHEN w.active_users_28d > 0 THEN w.user_devices_28d / w.active_users_28d ELSE 0.0 END
           AS devices_per_user_28d,
       w.active_days_28d,
       w.active_days_90d,
       CAST(w.events_28d AS DOUBLE) AS events_28d,
       CAST(w.events_prev_28d AS DOUBLE) AS events_prev_28d,
       CAST(w.events_90d AS DOUBLE) AS events_90d,
       ln(w.events_28d + 1.0) - ln(w.events_prev_28d + 1.0) AS usage_trend_28d,
       CASE WHEN w.active_users_28d > 0 THEN w.events_28d / w.active_users_28d ELSE 0.0 END
           AS events_per_active_user_28d,
       w.features_used_28d,
       CAST(w.key_feature_events_28d AS DOUBLE) AS key_feature_events_28d,
       CASE WHEN w.events_90d > 0 THEN w.key_feature_events_90d / w.events_90d END AS key_feature_share_90d,
       CAST(w.lifetime_events AS DOUBLE) AS lifetime_events,
       CAST(w.lifetime_key_feature_events AS DOUBLE) AS lifetime_key_feature_events,
       CASE WHEN w.lifetime_events > 0 THEN w.lifetime_key_feature_events / w.lifetime_events END
           AS key_feature_share_lifetime,
       CAST(w.intent_events_28d AS DOUBLE) AS intent_events_28d,
       CAST(w.error_events_28d AS DOUBLE) AS error_events_28d,
       date_diff('day', w.last_active_date, DATE '${as_of}') AS days_since_last_activity
FROM windows w LEFT JOIN users u USING (account_id);
