package io.churnducks.jobs.io;

import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.SourceSettings;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A source that holds no data fails in one line that says so; a source with a header and no rows is
 * read; CSV free text keeps its line breaks and quotes.
 */
class SourceReaderTest extends SparkTestBase {

  @TempDir
  Path dir;

  @Test
  void anEmptyFolderOfAnOptionalSourceSaysSoAndHowToRunWithoutIt() throws IOException {
    Path surveys = Files.createDirectories(dir.resolve("surveys"));
    Files.writeString(surveys.resolve("_SUCCESS"), "");
    ContractException e = assertThrows(ContractException.class,
        () -> SourceReader.read(spark(), source("surveys", "parquet", surveys)));
    assertEquals("Cannot read source surveys (parquet " + surveys + "): it holds no data (no file, or only empty "
        + "ones); deliver the export, or remove sources.surveys to run without it", e.getMessage());
  }

  @Test
  void anEmptyFileOfARequiredSourceSaysSo() throws IOException {
    Path accounts = Files.writeString(dir.resolve("accounts.csv"), "");
    ContractException e = assertThrows(ContractException.class,
        () -> SourceReader.read(spark(), source("accounts", "csv", accounts)));
    assertEquals("Cannot read source accounts (csv " + accounts + "): it holds no data (no file, or only empty "
        + "ones); deliver the export", e.getMessage());
  }

  @Test
  void parquetOrJsonFilesReadAsCsvSayWhatTheyLookLikeAndWhichFormatToSet() throws IOException {
    Path parquet = dir.resolve("accounts-parquet").toAbsolutePath();
    spark().range(3).selectExpr("cast(id as string) as Id").write().parquet(parquet.toString());
    ContractException e = assertThrows(ContractException.class, () -> SourceReader.read(spark(),
        source("accounts", "csv", parquet, Map.of("header", "true"))));
    assertEquals("Cannot read source accounts (csv " + parquet + "): its files are not CSV text: they look like "
        + "Parquet files (they start with PAR1); set sources.accounts.format = parquet", e.getMessage());

    Path json = Files.writeString(dir.resolve("accounts.json"), "{\"Id\": \"a1\", \"Name\": \"Acme\"}\n");
    ContractException j = assertThrows(ContractException.class, () -> SourceReader.read(spark(),
        source("accounts", "csv", json, Map.of("header", "true"))));
    assertEquals("Cannot read source accounts (csv " + json + "): its files are not CSV text: they look like "
        + "JSON (the first line opens a JSON object); set sources.accounts.format = json", j.getMessage());
  }

  @Test
  void aHeaderWithoutRowsIsAnEmptySource() throws IOException {
    Path tickets = Files.writeString(dir.resolve("tickets.csv"), "ticket_id,account_id,created_at\n");
    SourceSettings s = source("support_tickets", "csv", tickets, Map.of("header", "true"));
    assertEquals(0, SourceReader.read(spark(), s).count());
    assertEquals(3, SourceReader.read(spark(), s).columns().length);
  }

  @Test
  void aQuotedLineBreakInAHelpdeskExportStaysInsideItsValue() throws IOException {
    Path tickets = Files.writeString(dir.resolve("tickets.csv"), "ticket_id,description,priority\n"
        + "t1,\"Cannot log in.\nTried twice, the reset did not help\",urgent\n"
        + "t2,short,low\n");
    SourceSettings s = source("support_tickets", "csv", tickets, Map.of("header", "true"));
    List<Row> rows = SourceReader.read(spark(), s).orderBy("ticket_id").collectAsList();

    assertEquals(2, rows.size());
    assertEquals("Cannot log in.\nTried twice, the reset did not help", rows.get(0).getString(1));
    assertEquals("urgent", rows.get(0).getString(2));
    SourceSettings lines = source("support_tickets", "csv", tickets, Map.of("header", "true", "multiLine", "false"));
    assertEquals(3, SourceReader.read(spark(), lines).count(), "the source's own options win");
  }

  @Test
  void aQuoteDoubledInsideAQuotedValueIsOneQuoteAsInEveryCrmExport() throws IOException {
    Path accounts = Files.writeString(dir.resolve("accounts.csv"), "account_id,name,industry\n"
        + "a1,\"Acme \"\"Ducks\"\" Ltd, Leeds\",retail\n"
        + "a2,\"12\"\" Pipes\",manufacturing\n");
    SourceSettings s = source("accounts", "csv", accounts, Map.of("header", "true"));
    List<Row> rows = SourceReader.read(spark(), s).orderBy("account_id").collectAsList();

    assertEquals(2, rows.size());
    assertEquals("Acme \"Ducks\" Ltd, Leeds", rows.get(0).getString(1));
    assertEquals("retail", rows.get(0).getString(2));
    assertEquals("12\" Pipes", rows.get(1).getString(1));

    Path backslashed = Files.writeString(dir.resolve("backslashed.csv"), "account_id,name,industry\n"
        + "a1,\"Acme \\\"Ducks\\\" Ltd\",retail\n");
    SourceSettings backslash = source("accounts", "csv", backslashed, Map.of("header", "true", "escape", "\\"));
    assertEquals("Acme \"Ducks\" Ltd", SourceReader.read(spark(), backslash).first().getString(1),
        "a backslash-escaped file is read with options { escape = \"\\\\\" }");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"accounts", "usage_events"})
  void aByteOrderMarkBeforeTheHeaderIsNotPartOfTheFirstColumnsName(String table) throws IOException {
    // Excel's "CSV UTF-8" and several warehouses' downloads start every file with one.
    Path folder = Files.createDirectories(dir.resolve(table));
    Files.writeString(folder.resolve("part-1.csv"), "\uFEFFId,Name\na1,Acme\na2,Duck Co\n");
    Files.writeString(folder.resolve("part-2.csv"), "\uFEFFId,Name\na3,Pond Ltd\n");
    SourceSettings s = source(table, "csv", folder, Map.of("header", "true"));
    Dataset<Row> rows = SourceReader.read(spark(), s);

    assertEquals(List.of("Id", "Name"), List.of(rows.columns()));
    assertEquals(List.of("a1", "a2", "a3"), rows.orderBy("Id").select("Id").as(Encoders.STRING()).collectAsList(),
        "no file's header is read as a row");
  }

  private static SourceSettings source(String table, String format, Path path) {
    return source(table, format, path, Map.of());
  }

  /** A source read as it is (identity mapping) with these reader options. */
  private static SourceSettings source(String table, String format, Path path, Map<String, String> options) {
    return new SourceSettings(table, format, path.toString(), null, null, null, null, options,
        SourceMapping.identity(table), null);
  }
}
