"""Checks the DAG files without an Airflow install: Python's own parser reads each DAG, and every
command a task would run is rendered for a sample date and checked against the job's CLI contract
(`churn cli-spec`), so a renamed subcommand or option breaks this test, not a night in production.

Run: CHURN_CLI_SPEC=jobs/target/cli-spec.json python3 -m unittest discover -s airflow-dags/tests
(without CHURN_CLI_SPEC the contract is taken from `bin/churn cli-spec`).
"""
import ast
import json
import os
import re
import shlex
import subprocess
import unittest
from pathlib import Path

DAGS = Path(__file__).resolve().parent.parent
ROOT = DAGS.parent
OPERATORS = {"BashOperator", "FileSensor"}
# What the templates render to in a test: a run date, a local launcher and config, a database.
SAMPLE = {
    "ds": "2026-01-01",
    "var.value.churn_submit": "bin/churn",
    "var.value.churn_config": "conf/demo.conf",
    "var.value.churn_sources_ready": "/data/exports/2026-01-01/_SUCCESS",
    "conn.churn_postgres.host": "db.internal",
    "conn.churn_postgres.port": "5432",
    "conn.churn_postgres.schema": "cs",
    "conn.churn_postgres.login": "churn",
    "conn.churn_postgres.password": "not-a-real-password",
}


def cli_spec():
    path = os.environ.get("CHURN_CLI_SPEC")
    text = Path(path).read_text() if path else subprocess.run(
        [str(ROOT / "bin" / "churn"), "cli-spec"], check=True, capture_output=True, text=True).stdout
    return {c["name"]: c for c in json.loads(text)["subcommands"]}


def render(template):
    def value(m):
        key = m.group(1).strip()
        if key not in SAMPLE:
            raise AssertionError(f"unknown template value {{{{ {key} }}}} in {template!r}")
        return SAMPLE[key]
    return re.sub(r"\{\{(.*?)\}\}", value, template)


def contract_errors(command, spec):
    """What is wrong with one rendered churn command line (empty when it keeps the contract)."""
    words = shlex.split(command)
    if "bin/churn" not in words:
        return [f"no churn launcher in {command!r}"]
    args = words[words.index("bin/churn") + 1:]
    if not args or args[0] not in spec:
        return [f"unknown subcommand {args[:1]} (known: {sorted(spec)})"]
    sub = spec[args[0]]
    options = {name: o for o in sub["options"] for name in o["names"]}
    errors, seen, i = [], [], 1
    while i < len(args):
        name = args[i]
        if not name.startswith("-") and sub["parameters"]:
            i += 1
            continue
        if name not in options:
            errors.append(f"{args[0]}: unknown option {name}")
            i += 1
            continue
        o = options[name]
        if o["names"][0] in seen and not o["repeatable"]:
            errors.append(f"{args[0]}: {name} given twice")
        seen.append(o["names"][0])
        if o["type"] == "flag":
            i += 1
            continue
        if i + 1 >= len(args):
            errors.append(f"{args[0]}: {name} needs a value")
            break
        v = args[i + 1]
        if o["type"] == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            errors.append(f"{args[0]}: {name} {v} is not a date")
        if o["type"] == "choice" and v not in o["values"]:
            errors.append(f"{args[0]}: {name} {v} is not one of {o['values']}")
        if o["type"] == "string" and name == "--set" and "=" not in v:
            errors.append(f"{args[0]}: --set {v} is not key=value")
        i += 2
    for o in sub["options"]:
        if o["required"] and o["names"][0] not in seen:
            errors.append(f"{args[0]}: required option {o['names'][0]} missing")
    return errors


class DagFile:
    """One DAG file as Python's parser sees it: constants, the DAG's arguments, tasks, edges.

    A task is an operator call assigned to a name (`publish = BashOperator(...)`) or built per item of
    a dict comprehension (`stages = {s: BashOperator(...) for s in ("a", "b")}`, tasks `a` and `b`);
    edges come from `a >> b` statements over names, `stages["a"]` and lists of them.
    """

    def __init__(self, path):
        self.path = path
        self.tree = ast.parse(path.read_text(), filename=str(path))
        compile(self.tree, str(path), "exec")
        self.constants = {}
        self.dag = None
        self.tasks = {}      # task key -> (operator call, names bound by its comprehension)
        self.edges = set()
        self.default_args = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if isinstance(node.value, ast.Dict) and name == "default_args":
                    self.default_args = {k.value: v for k, v in zip(node.value.keys, node.value.values)}
                elif self._is_operator(node.value):
                    self.tasks[name] = (node.value, {})
                elif isinstance(node.value, ast.DictComp) and self._is_operator(node.value.value):
                    loop = node.value.generators[0]
                    for item in ast.literal_eval(loop.iter):
                        self.tasks[item] = (node.value.value, {loop.target.id: item})
                else:
                    try:
                        self.constants[name] = self.text(node.value)
                    except ValueError:
                        pass
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "DAG":
                self.dag = {k.arg: k.value for k in node.keywords}
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.BinOp):
                self._chain(node.value)

    @staticmethod
    def _is_operator(value):
        return isinstance(value, ast.Call) and getattr(value.func, "id", None) in OPERATORS

    def _chain(self, op):
        """Edges of a `a >> b >> c` statement; returns the tasks at its right end."""
        if isinstance(op, ast.Name):
            return {op.id}
        if isinstance(op, ast.Subscript):
            return {ast.literal_eval(op.slice)}
        if isinstance(op, ast.List):
            return set().union(*(self._chain(e) for e in op.elts))
        left = self._chain(op.left)
        right = self._chain(op.right)
        if isinstance(op.op, ast.RShift):
            self.edges.update((a, b) for a in left for b in right)
        return right

    def text(self, node, bound=None):
        """The string a constant expression (literals, f-strings, names of constants, +) makes."""
        bound = bound or {}
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in bound:
            return bound[node.id]
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.constants[node.id]
        if isinstance(node, ast.JoinedStr):
            return "".join(self.text(v, bound) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.text(node.value, bound)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.text(node.left, bound) + self.text(node.right, bound)
        raise ValueError(ast.dump(node))

    def keyword(self, task, name):
        return next((k.value for k in self.tasks[task][0].keywords if k.arg == name), None)

    def operator(self, task):
        return self.tasks[task][0].func.id

    def task_ids(self):
        return {key: self.text(self.keyword(key, "task_id"), self.tasks[key][1]) for key in self.tasks}

    def commands(self):
        return {key: self.text(self.keyword(key, "bash_command"), self.tasks[key][1]) for key in self.tasks
                if self.keyword(key, "bash_command") is not None}


class DagTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.spec = cli_spec()
        cls.dags = {p.stem: DagFile(p) for p in sorted(DAGS.glob("*.py"))}

    def test_the_nightly_and_the_weekly_retrain_dags_exist(self):
        self.assertEqual({"churn_nightly", "churn_weekly_retrain"}, set(self.dags))
        for stem, dag in self.dags.items():
            self.assertIsNotNone(dag.dag, f"{stem} defines a DAG")
            self.assertEqual(stem, dag.dag["dag_id"].value, "the dag_id is the file's name")

    def test_every_rendered_command_keeps_the_cli_contract(self):
        checked = 0
        for stem, dag in self.dags.items():
            for task, command in dag.commands().items():
                rendered = render(command)
                self.assertEqual([], contract_errors(rendered, self.spec), f"{stem}.{task}: {rendered}")
                if task != "vacuum":
                    self.assertIn("--run-date 2026-01-01", rendered, f"{stem}.{task} runs for the DAG's date")
                checked += 1
        self.assertGreaterEqual(checked, 7)

    def test_a_renamed_option_or_subcommand_breaks_the_contract(self):
        self.assertEqual([], contract_errors("bin/churn nightly --run-date 2026-01-01", self.spec))
        self.assertIn("nightly: unknown option --rundate",
                      contract_errors("bin/churn nightly --rundate 2026-01-01", self.spec))
        self.assertIn("nightly: required option --run-date missing",
                      contract_errors("bin/churn nightly --config c.conf", self.spec))
        self.assertIn("publish: --target mysql is not one of ['postgres', 'csv']",
                      contract_errors("bin/churn publish --run-date 2026-01-01 --target mysql", self.spec))
        self.assertTrue(contract_errors("bin/churn rank --run-date 2026-01-01", self.spec)[0]
                        .startswith("unknown subcommand ['rank']"))

    def test_the_nightly_dag_waits_for_sources_then_runs_the_stages_in_order_then_publishes_and_reports(self):
        dag = self.dags["churn_nightly"]
        ids = dag.task_ids()
        self.assertEqual({("sources_ready", "validate"), ("validate", "features"), ("features", "train"),
                          ("features", "segments"), ("train", "score"), ("segments", "score"),
                          ("score", "publish"), ("score", "lifecycle"), ("lifecycle", "report")}, dag.edges)
        self.assertEqual("FileSensor", dag.operator("sources_ready"))
        self.assertEqual({"sources_ready", "validate", "features", "train", "segments", "score", "lifecycle",
                          "report", "publish_postgres"}, set(ids.values()))
        for stage in ("validate", "features", "train", "segments", "score", "lifecycle", "report"):
            self.assertTrue(dag.commands()[stage].startswith("{{ var.value.churn_submit }} " + stage + " "), stage)
        self.assertIs(True, dag.dag["catchup"].value, "missed nights are caught up (backfills)")
        self.assertEqual(1, dag.dag["max_active_runs"].value, "nights run in date order")
        self.assertIs(True, dag.default_args["depends_on_past"].value)

    def test_the_weekly_dag_retrains_then_vacuums(self):
        dag = self.dags["churn_weekly_retrain"]
        self.assertEqual({("retrain", "vacuum")}, dag.edges)
        self.assertTrue(dag.commands()["vacuum"].startswith("{{ var.value.churn_submit }} vacuum "))

    def test_retries_timeouts_and_slas_are_set(self):
        for stem, dag in self.dags.items():
            self.assertGreaterEqual(dag.default_args["retries"].value, 1, stem)
            self.assertIn("execution_timeout", dag.default_args, stem)
            for task in dag.commands():
                self.assertIsNotNone(dag.keyword(task, "sla") or dag.keyword(task, "execution_timeout"),
                                     f"{stem}.{task} has an SLA or a timeout")

    def test_the_password_travels_in_the_environment_never_on_the_command_line(self):
        dag = self.dags["churn_nightly"]
        for task, command in dag.commands().items():
            self.assertNotIn("password", command, f"{task}: {command}")
        env = dag.keyword("publish", "env")
        self.assertEqual(["CHURN_PG_PASSWORD"], [k.value for k in env.keys])

    def test_no_business_logic_in_the_dags(self):
        for stem, dag in self.dags.items():
            functions = [n.name for n in ast.walk(dag.tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
            self.assertEqual([], functions, f"{stem} only wires tasks")
            imports = {a.name for n in ast.walk(dag.tree) if isinstance(n, ast.ImportFrom) for a in n.names}
            self.assertTrue(imports <= {"DAG", "BashOperator", "FileSensor", "datetime", "timedelta"}, imports)


if __name__ == "__main__":
    unittest.main()
