-- The canonical usage_events over the bench's Parquet events (the product_events columns, one
-- event_date=yyyy-MM-dd folder per day; each event is dated by its folder, as the product dates a
-- source laid out by date). The bench generates clean sources (messy 0): nothing to clean.

CREATE OR REPLACE TEMP VIEW usage_events AS
SELECT org_id AS account_id, message_id AS event_id, event AS feature, user_key AS user_id, device AS device_id,
       CAST(event_date AS DATE) AS event_date
FROM read_parquet('${events_dir}/*/*.parquet', hive_partitioning = true);
