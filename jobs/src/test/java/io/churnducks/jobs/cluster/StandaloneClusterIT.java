package io.churnducks.jobs.cluster;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.io.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.transform_values;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster jar ({@code churnducks-jobs-*-all.jar}, Spark provided) on a real Spark standalone
 * cluster: a master and two workers on 127.0.0.1, started from a Spark installation assembled out
 * of the provided classpath ({@code target/spark-classpath.txt}, linked into {@code jars/}, the
 * layout of a Spark download). The night runs through {@code spark-submit} twice on the same
 * small generated sources, once on the cluster (executors in their own JVMs, fetching the jar from
 * the driver) and once on {@code local[2]} (the same parallelism), and every table of the run date
 * must hold the same rows in both warehouses.
 *
 * <p>Runs after {@code package} (failsafe), as the jar it submits is built there.
 */
class StandaloneClusterIT extends SparkTestBase {

  private static final LocalDate RUN_DATE = LocalDate.of(2025, 1, 1);
  /**
   * A small company, a small model search and a small segment search (one k-means run, k up to 6):
   * the test is about where the job runs, not how well it predicts or segments.
   */
  private static final List<String> SMALL = List.of(
      "--set", "model.training-months=6",
      "--set", "model.backtest-folds=2",
      "--set", "model.candidates=[{type=logistic-regression, reg-param=0.01, elastic-net=0.0},"
          + "{type=gradient-boosted-trees, max-depth=3, trees=20, step-size=0.1},"
          + "{type=blend, max-depth=3, trees=20, step-size=0.1, reg-param=0.01, elastic-net=0.0},"
          + "{type=xgboost, max-depth=3, trees=20, step-size=0.1, subsample=0.8, min-child-weight=5},"
          + "{type=xgboost-blend, max-depth=3, trees=20, step-size=0.1, subsample=0.8, min-child-weight=5,"
          + " reg-param=0.01, elastic-net=0.0}]",
      "--set", "segments.restarts=1",
      "--set", "segments.max-k=6");
  /** Columns that time the run or name where it ran: they differ between any two runs. */
  private static final Set<String> VOLATILE = Set.of("seconds", "started_at", "finished_at", "written_at",
      "trained_at", "message");

  /** Under target/ (not a JUnit temporary folder: the Spark installation is links into ~/.m2). */
  private static final Path tmp = Path.of("target", "cluster-it").toAbsolutePath();
  private static final String CONFIG = Path.of("..", "conf", "demo.conf").toAbsolutePath().normalize().toString();
  private static final List<Process> processes = new ArrayList<>();
  private static Path sparkHome;
  private static String masterUrl;
  private static String sample;

  @BeforeAll
  static void startClusterAndGenerate() throws Exception {
    if (Files.exists(tmp)) {
      try (var old = Files.walk(tmp)) {
        // Links are removed, never followed.
        old.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
    sparkHome = sparkInstallation(tmp.resolve("spark-home"));
    int masterPort = freePort();
    int masterUi = freePort();
    masterUrl = "spark://127.0.0.1:" + masterPort;
    start(tmp.resolve("master.log"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
        "--port", String.valueOf(masterPort), "--webui-port", String.valueOf(masterUi));
    for (int i = 1; i <= 2; i++) {
      Path work = Files.createDirectories(tmp.resolve("worker-" + i));
      start(tmp.resolve("worker-" + i + ".log"), "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--cores", "1", "--memory", "2g", "--webui-port", String.valueOf(freePort()), "--work-dir", work.toString(),
          masterUrl);
    }
    awaitAliveWorkers(masterUi, 2);
    sample = tmp.resolve("sample").toString();
    awaitSuccess("generate", submit("generate", "local[2]", List.of("generate", "--config", CONFIG, "--accounts", "200", "--months", "12",
        "--seed", "23", "--out", sample)));
  }

  @AfterAll
  static void stopCluster() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
  }

  @Test
  void theNightOnTheClusterWritesWhatALocalRunWrites() throws Exception {
    String onCluster = tmp.resolve("warehouse-cluster").toString();
    String local = tmp.resolve("warehouse-local").toString();
    // Both nights at once: on tiny data a night waits on its driver more than on its cores.
    Process cluster = submit("nightly-cluster", masterUrl, night(onCluster));
    Process alone = submit("nightly-local", "local[2]", night(local));
    awaitSuccess("nightly-cluster", cluster);
    awaitSuccess("nightly-local", alone);

    // The work ran in the workers' executors, not in the driver.
    for (int i = 1; i <= 2; i++) {
      try (var apps = Files.walk(tmp.resolve("worker-" + i))) {
        assertTrue(apps.anyMatch(p -> p.getFileName().toString().startsWith("churnducks-jobs-")),
            "worker " + i + " ran an executor with the submitted jar");
      }
    }

    // XGBoost's workers met across the executors (barrier tasks, its tracker on the driver): every
    // fold the regression could evaluate, its boosted trees evaluated too.
    Dataset<Row> folds = new Warehouse(spark(), onCluster).readAll("model_evaluations")
        .where(col("evaluation").equalTo("fold"));
    Map<String, Long> evaluated = new java.util.TreeMap<>();
    for (Row r : folds.where(col("roc_auc").isNotNull()).groupBy("model_type").count().collectAsList()) {
      evaluated.put(r.getString(0), r.getLong(1));
    }
    long regression = evaluated.getOrDefault("logistic-regression", 0L);
    assertTrue(regression > 0, "the regression evaluated a fold: " + evaluated);
    for (String type : List.of("xgboost", "xgboost-blend")) {
      assertEquals(regression, evaluated.getOrDefault(type, 0L), type + " evaluated on the cluster: " + evaluated
          + "; skipped: " + folds.where(col("model_type").equalTo(type)).select("skipped_reason").collectAsList());
    }

    // The tables hold a year of usage roll-ups: compiled, not interpreted as for the unit tests' tiny frames.
    spark().conf().set("spark.sql.codegen.wholeStage", "true");
    spark().conf().set("spark.sql.codegen.factoryMode", "FALLBACK");
    Warehouse clusterWarehouse = new Warehouse(spark(), onCluster);
    Warehouse localWarehouse = new Warehouse(spark(), local);
    Set<String> tables = new TreeSet<>(clusterWarehouse.tables());
    assertEquals(new TreeSet<>(localWarehouse.tables()), tables, "the same tables");
    assertTrue(tables.containsAll(List.of("customer_features", "churn_scores", "churn_risk_list",
        "customer_segments", "model_evaluations", "run_manifest")), "the night wrote its tables: " + tables);
    List<String> differing = new ArrayList<>();
    for (String table : tables) {
      Dataset<Row> a = comparable(clusterWarehouse.readAll(table));
      Dataset<Row> b = comparable(localWarehouse.readAll(table));
      // Rows left after the exact comparison are few: they are paired up where only a rounded
      // double sits on the other side of a rounding boundary.
      List<Row> clusterRows = new ArrayList<>(a.exceptAll(b).collectAsList());
      List<Row> localRows = new ArrayList<>(b.exceptAll(a).collectAsList());
      clusterRows.removeIf(r -> localRows.stream().filter(l -> sameWithinRounding(r, l)).findFirst()
          .map(localRows::remove).orElse(false));
      long onlyCluster = clusterRows.size();
      long onlyLocal = localRows.size();
      if (onlyCluster + onlyLocal > 0) {
        differing.add(table + " (" + onlyCluster + " rows only on the cluster, " + onlyLocal + " only local)"
            + "\n  cluster: " + clusterRows.stream().limit(4).map(Row::toString).toList()
            + "\n  local:   " + localRows.stream().limit(4).map(Row::toString).toList());
      }
    }
    assertEquals(List.of(), differing, "every table is the same on the cluster and locally");
  }

  /**
   * The same value (row, array, struct or scalar) but for doubles one step of the 9th decimal
   * apart, at any depth: a sum added in another order can land on either side of a rounding boundary.
   */
  static boolean sameWithinRounding(Object x, Object y) {
    if (x instanceof Double dx && y instanceof Double dy) {
      return Math.abs(dx - dy) <= 1.5e-9 * Math.max(1.0, Math.abs(dx));
    }
    if (x instanceof Row rx && y instanceof Row ry) {
      return sameWithinRounding(rx.toSeq(), ry.toSeq());
    }
    if (x instanceof scala.collection.Seq<?> sx && y instanceof scala.collection.Seq<?> sy) {
      if (sx.size() != sy.size()) {
        return false;
      }
      for (int i = 0; i < sx.size(); i++) {
        if (!sameWithinRounding(sx.apply(i), sy.apply(i))) {
          return false;
        }
      }
      return true;
    }
    return java.util.Objects.equals(x, y);
  }

  private static List<String> night(String warehouse) {
    List<String> args = new ArrayList<>(List.of("nightly", "--config", CONFIG, "--run-date", RUN_DATE.toString(),
        "--set", "sample.dir=" + sample, "--set", "warehouse=" + warehouse));
    args.addAll(SMALL);
    return args;
  }

  /**
   * The rows as comparable values: volatile columns dropped, doubles rounded to 9 decimals at any
   * depth (sums may add in another order), maps as JSON of their sorted entries (set operations
   * cannot compare maps).
   */
  private static Dataset<Row> comparable(Dataset<Row> rows) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      if (!VOLATILE.contains(f.name())) {
        columns.add(rounded(col(f.name()), f.dataType()).as(f.name()));
      }
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  private static Column rounded(Column c, DataType t) {
    if (t.equals(DataTypes.DoubleType) || t.equals(DataTypes.FloatType)) {
      return round(c, 9);
    }
    if (t instanceof ArrayType a) {
      return transform(c, x -> rounded(x, a.elementType()));
    }
    if (t instanceof StructType st) {
      return when(c.isNull(), lit(null)).otherwise(struct(java.util.Arrays.stream(st.fields())
          .map(f -> rounded(c.getField(f.name()), f.dataType()).as(f.name())).toArray(Column[]::new)));
    }
    if (t instanceof MapType m) {
      Column values = transform_values(c, (k, v) -> rounded(v, m.valueType()));
      return to_json(map_from_entries(array_sort(map_entries(values))));
    }
    return c;
  }

  /** {@code jars/} linking every jar of the provided (Spark) classpath: what a Spark download unpacks. */
  private static Path sparkInstallation(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    String classpath = Files.readString(Path.of("target", "spark-classpath.txt")).trim();
    for (String entry : classpath.split(File.pathSeparator)) {
      Path jar = Path.of(entry);
      Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
    }
    return home;
  }

  private static Path clusterJar() throws IOException {
    try (var files = Files.list(Path.of("target"))) {
      return files.filter(p -> p.getFileName().toString().matches("churnducks-jobs-.*-all\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no cluster jar in target/: run after `mvn package`"))
          .toAbsolutePath();
    }
  }

  /** Starts {@code spark-submit} with the cluster jar; its output goes to {@code <name>.log}. */
  private static Process submit(String name, String master, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit", "--master", master,
        "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=1g",
        "--class", "io.churnducks.jobs.cli.ChurnCli", clusterJar().toString()));
    command.addAll(args);
    return start(tmp.resolve(name + ".log"), command.toArray(String[]::new));
  }

  private static void awaitSuccess(String name, Process p) throws Exception {
    Path log = tmp.resolve(name + ".log");
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(name + " did not finish in 20 minutes:\n" + tail(log));
    }
    assertEquals(0, p.exitValue(), () -> name + " failed:\n" + tail(log));
  }

  /** A JVM on the Spark installation's classpath, with the flags Spark needs on Java 17. */
  private static Process start(Path log, String... mainAndArgs) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-Duser.timezone=UTC", "-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile")));
    command.addAll(List.of(System.getProperty("spark.java17.opens").trim().split("\\s+")));
    command.addAll(List.of("-cp", sparkHome.resolve("jars") + File.separator + "*"));
    command.addAll(List.of(mainAndArgs));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    // Workers launch executors from SPARK_HOME/jars; the launcher asks for the Scala version.
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.12");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Waits until the master's status page (its JSON view) counts {@code workers} alive workers. */
  private static void awaitAliveWorkers(int masterUi, int workers) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest status = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + masterUi + "/json/")).build();
    String last = "(no answer)";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try {
        last = http.send(status, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        if (last.replaceAll("\\s", "").contains("\"aliveworkers\":" + workers)) {
          return;
        }
      } catch (IOException notYetListening) {
        // the master is still starting
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the master does not count " + workers + " alive workers within 120 s: " + last
        + "\n" + tail(tmp.resolve("master.log")));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
