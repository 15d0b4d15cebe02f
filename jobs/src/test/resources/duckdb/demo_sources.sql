-- The canonical tables over the sources of `churn generate` in CSV, mapped as conf/demo.conf maps
-- them (column names, epoch seconds and milliseconds in UTC, US dates), with the product's cleaning
-- as far as the compared indicators need it:
--  * rows the contract rejects are left out (unparseable dates, missing ids, negative or non-numeric
--    prices and seats, tickets solved before they were opened, NPS outside 0-10);
--  * a bad optional value only nulls that value: the row still counts (a ticket's csat outside 1-5);
--  * voided invoices are filtered out (the source filter of demo.conf);
--  * a usage event duplicated within its day counts once;
--  * rows naming an unknown account never join an account.

CREATE OR REPLACE TEMP VIEW accounts AS
SELECT Id AS account_id,
       CAST(try_strptime(CreatedDate, '%m/%d/%Y') AS DATE) AS signup_date,
       TRY_CAST(NumberOfEmployees AS INTEGER) AS employee_count
FROM read_csv('${sample_dir}/crm_accounts/*.csv', header = true, all_varchar = true, quote = '"', escape = '"')
WHERE Id IS NOT NULL AND try_strptime(CreatedDate, '%m/%d/%Y') IS NOT NULL;

CREATE OR REPLACE TEMP VIEW subscriptions AS
SELECT customer_ref AS account_id,
       CAST(epoch_ms(CAST(created AS BIGINT) * 1000) AS DATE) AS start_date,
       CAST(epoch_ms(CAST(ended_at AS BIGINT) * 1000) AS DATE) AS end_date,
       CAST(unit_amount_cents AS DOUBLE) * CAST(quantity AS DOUBLE)
           * (1 - coalesce(CAST(percent_off AS DOUBLE), 0) / 100.0) / 100.0 AS mrr,
       CAST(quantity AS INTEGER) AS seats,
       coalesce(CAST(percent_off AS DOUBLE), 0.0) AS discount_pct,
       CAST(epoch_ms(CAST(discount_end AS BIGINT) * 1000) AS DATE) AS discount_end_date,
       plan_nickname AS plan,
       CASE plan_interval WHEN 'year' THEN 12 WHEN 'month' THEN 1 END AS billing_period_months
FROM read_csv('${sample_dir}/billing_subscriptions/*.csv', header = true, all_varchar = true, quote = '"', escape = '"')
WHERE TRY_CAST(quantity AS INTEGER) >= 0 AND TRY_CAST(unit_amount_cents AS BIGINT) >= 0
  AND TRY_CAST(created AS BIGINT) IS NOT NULL;

CREATE OR REPLACE TEMP VIEW invoices AS
SELECT customer_ref AS account_id,
       CAST(epoch_ms(CAST(created AS BIGINT) * 1000) AS DATE) AS issued_date,
       CAST(amount_due AS DOUBLE) / 100.0 AS amount,
       CAST(epoch_ms(CAST(paid_at AS BIGINT) * 1000) AS DATE) AS paid_date
FROM read_csv('${sample_dir}/billing_invoices/*.csv', header = true, all_varchar = true, quote = '"', escape = '"')
WHERE (status IS NULL OR status <> 'void')
  AND TRY_CAST(created AS BIGINT) IS NOT NULL AND TRY_CAST(amount_due AS BIGINT) IS NOT NULL;

CREATE OR REPLACE TEMP VIEW usage_events AS
SELECT DISTINCT ON (message_id, event_date) account_id, message_id AS event_id, feature, user_id, device_id, event_date
FROM (
  SELECT org_id AS account_id, message_id, event AS feature, user_key AS user_id, device AS device_id,
         CAST(epoch_ms(TRY_CAST("timestamp" AS BIGINT)) AS DATE) AS event_date
  FROM read_csv('${sample_dir}/product_events/*.csv', header = true, all_varchar = true, quote = '"', escape = '"')
  WHERE org_id IS NOT NULL AND event IS NOT NULL)
WHERE event_date IS NOT NULL;

CREATE OR REPLACE TEMP VIEW support_tickets AS
SELECT organization_external_id AS account_id,
       try_strptime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS opened_at,
       try_strptime(solved_at, '%Y-%m-%dT%H:%M:%SZ') AS closed_at,
       lower(priority) AS priority,
       CASE WHEN TRY_CAST(csat_score AS INTEGER) BETWEEN 1 AND 5 THEN TRY_CAST(csat_score AS INTEGER) END
           AS satisfaction
FROM read_csv('${sample_dir}/support_tickets/*.csv', header = true, all_varchar = true, quote = '"', escape = '"')
WHERE try_strptime(created_at, '%Y-%m-%dT%H:%M:%SZ') IS NOT NULL
  AND (solved_at IS NULL
       OR try_strptime(solved_at, '%Y-%m-%dT%H:%M:%SZ') >= try_strptime(created_at, '%Y-%m-%dT%H:%M:%SZ'));

CREATE OR REPLACE TEMP VIEW surveys AS
SELECT account AS account_id,
       try_strptime(survey_date, '%Y-%m-%d %H:%M:%S') AS responded_at,
       TRY_CAST(score AS INTEGER) AS nps
FROM read_csv('${sample_dir}/nps_responses/*.csv', header = true, all_varchar = true, quote = '"', escape = '"')
WHERE TRY_CAST(score AS INTEGER) BETWEEN 0 AND 10
  AND try_strptime(survey_date, '%Y-%m-%d %H:%M:%S') IS NOT NULL;
