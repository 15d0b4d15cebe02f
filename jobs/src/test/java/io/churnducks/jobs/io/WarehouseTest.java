package io.churnducks.jobs.io;

import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarehouseTest extends SparkTestBase {

  private static final StructType SCHEMA = new StructType()
      .add("account_id", DataTypes.StringType).add("score", DataTypes.DoubleType);
  private static final LocalDate D1 = LocalDate.of(2026, 1, 1);
  private static final LocalDate D2 = LocalDate.of(2026, 1, 2);

  @Test
  void rewritingARunDateReplacesThatPartitionOnly(@TempDir Path root) {
    SparkSessions.configure(spark(), 2);
    Warehouse w = new Warehouse(spark(), root.toString());
    w.write("scores", frame(SCHEMA, new Object[] {"a", 0.1}, new Object[] {"b", 0.2}), SCHEMA, D1);
    w.write("scores", frame(SCHEMA, new Object[] {"a", 0.3}), SCHEMA, D2);
    w.write("scores", frame(SCHEMA, new Object[] {"c", 0.9}), SCHEMA, D1);

    assertEquals(List.of("c"), w.read("scores", D1).select("account_id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
    assertEquals(1, w.read("scores", D2).count());
    assertEquals(0.3, w.read("scores", D2).first().getDouble(1));
  }

  @Test
  void anEmptyFrameReplacesThePartitionWithAnEmptyOne(@TempDir Path root) {
    Warehouse w = new Warehouse(spark(), root.toString());
    w.write("quarantine", frame(SCHEMA, new Object[] {"a", 0.1}), SCHEMA, D1);
    w.write("quarantine", frame(SCHEMA), SCHEMA, D1);
    assertEquals(0, w.read("quarantine", D1).count(), "yesterday's rows are gone");
    Warehouse fresh = new Warehouse(spark(), root.resolve("new").toString());
    fresh.write("quarantine", frame(SCHEMA), SCHEMA, D1);
    assertEquals(0, fresh.read("quarantine", D1).count(), "a first, empty write is readable");
    assertEquals(List.of("account_id", "score", "run_date"), List.of(fresh.read("quarantine", D1).columns()));
  }

  @Test
  void aFrameThatDiffersFromTheDeclaredSchemaIsNotWritten(@TempDir Path root) {
    Warehouse w = new Warehouse(spark(), root.toString());
    StructType other = new StructType().add("account_id", DataTypes.StringType).add("score", DataTypes.StringType);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> w.write("scores", frame(other, new Object[] {"a", "high"}), SCHEMA, D1));
    assertTrue(e.getMessage().startsWith("Cannot write scores: columns [account_id string, score string] differ"),
        e.getMessage());
    assertTrue(!new File(root.toFile(), "scores").exists());
  }

  @Test
  void theCsvExportIsOneFileWithAHeaderInTheFramesOrder(@TempDir Path root) throws Exception {
    Warehouse w = new Warehouse(spark(), root.toString());
    Dataset<Row> ordered = frame(SCHEMA, new Object[] {"b", 0.9}, new Object[] {"a", 0.5}, new Object[] {"c", 0.1})
        .orderBy(org.apache.spark.sql.functions.col("score").desc());
    File csv = new File(w.exportCsv("risk", ordered, D1).replaceFirst("^file:", ""));
    assertEquals(root.resolve("exports/risk/run_date=2026-01-01/risk.csv").toFile(), csv);
    assertEquals(List.of("account_id,score", "b,0.9", "a,0.5", "c,0.1"), Files.readAllLines(csv.toPath()));
    w.exportCsv("risk", ordered.limit(1), D1);
    assertEquals(2, Files.readAllLines(csv.toPath()).size(), "a rerun replaces the export");
  }

  @Test
  void theCsvExportDoublesAQuoteInsideAValueAsSpreadsheetsReadIt(@TempDir Path root) throws Exception {
    Warehouse w = new Warehouse(spark(), root.toString());
    StructType named = new StructType().add("account_id", DataTypes.StringType).add("name", DataTypes.StringType);
    Dataset<Row> rows = frame(named, new Object[] {"a", "Acme \"Ducks\" Ltd, Leeds"}, new Object[] {"b", "C:\\data"});
    File csv = new File(w.exportCsv("names", rows.orderBy("account_id"), D1).replaceFirst("^file:", ""));
    assertEquals(List.of("account_id,name", "a,\"Acme \"\"Ducks\"\" Ltd, Leeds\"", "b,C:\\data"),
        Files.readAllLines(csv.toPath()));
  }

  private static List<String> ids(Dataset<Row> rows) {
    return rows.select("account_id").orderBy("account_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
  }

  @Test
  void eachWriteIsOneCommitAndEarlierVersionsStayReadable(@TempDir Path root) {
    Warehouse w = new Warehouse(spark(), root.toString());
    w.write("scores", frame(SCHEMA, new Object[] {"a", 0.1}, new Object[] {"b", 0.2}), SCHEMA, D1);
    w.write("scores", frame(SCHEMA, new Object[] {"a", 0.3}), SCHEMA, D2);
    w.write("scores", frame(SCHEMA, new Object[] {"c", 0.9}), SCHEMA, D1);

    assertTrue(w.isDelta("scores"));
    assertEquals(2, w.version("scores"));
    assertEquals(List.of("a", "b"), ids(w.readVersion("scores", 0)));
    assertEquals(List.of("a", "c"), ids(w.readAll("scores")));
    assertEquals(List.of(D1, D2), w.runDates("scores"));
    List<String> files = w.files("scores", D1);
    assertEquals(1, files.size(), "the current version's files of the date only: " + files);
    assertEquals(List.of("c"), ids(spark().read().parquet(files.get(0))));
  }

  @Test
  void aFailedRunIsRolledBackToTheVersionsBeforeIt(@TempDir Path root) {
    new Warehouse(spark(), root.toString()).write("scores", frame(SCHEMA, new Object[] {"a", 0.1}), SCHEMA, D1);
    Warehouse run = new Warehouse(spark(), root.toString());
    run.write("scores", frame(SCHEMA, new Object[] {"b", 0.2}), SCHEMA, D1);
    run.write("scores", frame(SCHEMA, new Object[] {"c", 0.3}), SCHEMA, D2);
    run.write("profiles", frame(SCHEMA, new Object[] {"b", 0.2}), SCHEMA, D1);
    run.write("quarantine", frame(SCHEMA, new Object[] {"x", 0.0}), SCHEMA, D1);

    assertEquals(List.of("profiles", "scores"), run.rollBack(List.of("quarantine")).stream().sorted().toList());
    assertEquals(List.of("a"), ids(run.readAll("scores")), "tonight's rows of every date are gone");
    assertEquals(3, run.version("scores"), "the undone versions stay in the history");
    assertTrue(!run.exists("profiles"), "a table the run created is removed");
    assertEquals(List.of("x"), ids(run.readAll("quarantine")), "the quarantine says why the run failed");
    assertEquals(List.of(), run.rollBack(List.of()), "nothing is undone twice");
  }

  @Test
  void vacuumRemovesTheFilesOnlyVersionsOlderThanTheRetentionNeed(@TempDir Path root) throws Exception {
    Warehouse w = new Warehouse(spark(), root.toString());
    w.write("scores", frame(SCHEMA, new Object[] {"a", 0.1}), SCHEMA, D1);
    w.write("scores", frame(SCHEMA, new Object[] {"b", 0.2}), SCHEMA, D1);
    w.overwriteSmall("_state/log", frame(SCHEMA, new Object[] {"a", 0.1}), SCHEMA);
    assertEquals(List.of("_state/log", "scores"), w.deltaTables(), "vacuum reaches the bookkeeping tables too");
    w.vacuum("scores", 24);
    assertEquals(List.of("a"), ids(w.readVersion("scores", 0)), "within the retention, time travel works");
    w.vacuum("scores", 0);
    try (var files = Files.walk(root.resolve("scores/run_date=" + D1))) {
      assertEquals(1, files.filter(f -> f.toString().endsWith(".parquet")).count(), "the replaced file is gone");
    }
    assertEquals(List.of("b"), ids(w.read("scores", D1)));
  }

  @Test
  void aParquetTableOfAnEarlierReleaseIsReadAndConvertedOnItsNextWrite(@TempDir Path root) {
    frame(SCHEMA, new Object[] {"a", 0.1}).write().parquet(root.resolve("scores/run_date=" + D1).toString());
    Warehouse w = new Warehouse(spark(), root.toString());
    assertTrue(!w.isDelta("scores"));
    assertEquals(List.of(D1), w.runDates("scores"));
    w.write("scores", frame(SCHEMA, new Object[] {"b", 0.2}), SCHEMA, D2);
    assertTrue(w.isDelta("scores"));
    assertEquals(List.of("a", "b"), ids(w.readAll("scores")));
    assertEquals(List.of(D1, D2), w.runDates("scores"));
  }

  @Test
  void statePartitionsReplaceTheirDatesOnlyAsPlainParquet(@TempDir Path root) {
    SparkSessions.configure(spark(), 2);
    Warehouse w = new Warehouse(spark(), root.toString());
    StructType dated = SCHEMA.add("as_of_date", DataTypes.DateType);
    java.sql.Date d1 = java.sql.Date.valueOf(D1);
    java.sql.Date d2 = java.sql.Date.valueOf(D2);
    // An older release kept the table as Delta: it is dropped, not mixed with Parquet files.
    w.replacePartitions("_state/values", frame(dated, new Object[] {"old", 0.0, d1}), dated, "as_of_date",
        List.of(D1));
    w.replaceStatePartitions("_state/values", frame(dated, new Object[] {"a", 0.1, d1}, new Object[] {"b", 0.2, d2}),
        dated, "as_of_date", List.of(D1, D2));
    assertTrue(!w.isDelta("_state/values"));
    w.replaceStatePartitions("_state/values", frame(dated, new Object[] {"c", 0.3, d2}), dated, "as_of_date",
        List.of(D1, D2));
    w.replaceStatePartitions("_state/values", frame(dated, new Object[] {"d", 0.4, d1}), dated, "as_of_date",
        List.of(D1));
    Dataset<Row> all = w.readAll("_state/values", dated);
    assertEquals(List.of("c", "d"), ids(all), "D1 emptied and rewritten, D2 replaced, nothing else kept");
    assertEquals(List.of("c"), ids(all.where(org.apache.spark.sql.functions.col("as_of_date").equalTo(d2))));

    w.overwriteSmall("_state/log", frame(SCHEMA, new Object[] {"x", 1.0}), SCHEMA);
    w.overwriteState("_state/log", frame(SCHEMA, new Object[] {"a", 0.1}, new Object[] {"b", 0.2}), SCHEMA);
    w.overwriteState("_state/log", frame(SCHEMA, new Object[] {"e", 0.5}), SCHEMA);
    assertTrue(!w.isDelta("_state/log"));
    assertEquals(List.of("e"), ids(w.readAll("_state/log", SCHEMA)));
    assertEquals(List.of(), w.deltaTables(), "no transaction log is left under _state");
  }
}
