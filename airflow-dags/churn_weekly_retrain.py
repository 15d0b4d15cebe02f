"""Weekly retrain: trains challenger churn models for the run date ({{ ds }}) on the temporal
backtest folds; a challenger becomes champion only when it beats the champion on the same folds by
model.promotion-margin (the job decides, see `churn retrain --help`). The nightly DAG then scores with
whichever model is champion.

After it, `churn vacuum` removes the table files that only versions older than the config's
warehouse-retention-hours need (time travel reaches back that far); it runs here, between nights,
because nothing else writes the warehouse on Sunday mornings.

Settings: the Airflow Variables churn_submit and churn_config, as for churn_nightly.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

SUBMIT = "{{ var.value.churn_submit }}"
CONFIG = "{{ var.value.churn_config }}"

default_args = {
    "owner": "data-engineering",
    "depends_on_past": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=6),
}

with DAG(
    dag_id="churn_weekly_retrain",
    description="Challenger churn models; promoted only when better on the same backtest folds",
    schedule="0 6 * * 0",
    start_date=datetime(2026, 1, 4),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["churn", "retrain"],
) as dag:
    retrain = BashOperator(
        task_id="retrain",
        bash_command=f"{SUBMIT} retrain --run-date {{{{ ds }}}} --config {CONFIG}",
        sla=timedelta(hours=8),
    )
    vacuum = BashOperator(
        task_id="vacuum",
        bash_command=f"{SUBMIT} vacuum --config {CONFIG}",
        execution_timeout=timedelta(hours=2),
    )
    retrain >> vacuum
