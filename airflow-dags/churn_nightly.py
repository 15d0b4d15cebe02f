"""Nightly churn run: waits for the day's source extracts, runs the churnducks stages for the run date
({{ ds }}) as separate tasks (validate -> features -> train and segments -> score), then publishes the
risk list and segments to PostgreSQL for CS tools and, beside it, computes the lifecycle analytics
(retention curves, unit economics, account economics), then writes the morning report (one HTML file
under the warehouse, reports/run_date=<ds>/report.html). Each stage reads what it needs from the warehouse,
so a failed task is retried or cleared alone.

No business logic lives here: every decision is the job's (see `churn <stage> --help`). Settings come
from Airflow Variables and one Connection:

  churn_submit     the spark-submit prefix, e.g.
                   "spark-submit --master yarn --deploy-mode cluster --class io.churnducks.jobs.cli.ChurnCli
                    /opt/churnducks/churnducks-jobs-0.1.0-SNAPSHOT-all.jar"
                   (or "/opt/churnducks/bin/churn" on a single machine)
  churn_config     the job's HOCON config file (sources, warehouse, model settings)
  churn_sources_ready
                   a path template marking that the day's extracts have landed, e.g.
                   "/data/exports/{{ ds }}/_SUCCESS"
  churn_postgres   (Connection) the CS database: host, port, schema (= database), login, password

Runs are sequential (max_active_runs=1, depends_on_past) because each night keeps its segment ids from
the previous night's model; catchup=True backfills missed nights in date order.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.sensors.filesystem import FileSensor

SUBMIT = "{{ var.value.churn_submit }}"
CONFIG = "{{ var.value.churn_config }}"
POSTGRES_URL = ("jdbc:postgresql://{{ conn.churn_postgres.host }}:{{ conn.churn_postgres.port }}"
                "/{{ conn.churn_postgres.schema }}")

default_args = {
    "owner": "data-engineering",
    "depends_on_past": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(hours=3),
}

with DAG(
    dag_id="churn_nightly",
    description="Churn scores, duck segments and the CS risk list for the run date",
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=True,
    max_active_runs=1,
    default_args=default_args,
    tags=["churn", "nightly"],
) as dag:
    sources_ready = FileSensor(
        task_id="sources_ready",
        filepath="{{ var.value.churn_sources_ready }}",
        poke_interval=300,
        timeout=6 * 3600,
        mode="reschedule",
        retries=0,
    )

    stages = {
        stage: BashOperator(
            task_id=stage,
            bash_command=f"{SUBMIT} {stage} --run-date {{{{ ds }}}} --config {CONFIG}",
            sla=timedelta(hours=4),
        )
        for stage in ("validate", "features", "train", "segments", "score", "lifecycle", "report")
    }

    publish = BashOperator(
        task_id="publish_postgres",
        bash_command=(f"{SUBMIT} publish --run-date {{{{ ds }}}} --target postgres --config {CONFIG}"
                      f" --set publish.postgres.url={POSTGRES_URL}"
                      " --set publish.postgres.user={{ conn.churn_postgres.login }}"),
        env={"CHURN_PG_PASSWORD": "{{ conn.churn_postgres.password }}"},
        append_env=True,
        execution_timeout=timedelta(minutes=30),
    )

    sources_ready >> stages["validate"] >> stages["features"] >> [stages["train"], stages["segments"]]
    [stages["train"], stages["segments"]] >> stages["score"] >> publish
    stages["score"] >> stages["lifecycle"] >> stages["report"]
