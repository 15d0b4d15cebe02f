package io.churnducks.jobs.cli;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.io.SparkSessions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChurnCliTest extends SparkTestBase {

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cli = ChurnCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void everySubcommandHasHelp() {
    for (String sub : new String[] {"generate", "nightly", "backfill", "bench", "demo"}) {
      Run r = run(sub, "--help");
      assertEquals(0, r.code(), sub);
      assertTrue(r.out().contains("--config"), sub + " help lists --config");
      assertTrue(r.out().contains("--set"), sub + " help lists --set");
    }
    assertTrue(run("nightly", "--help").out().contains("--run-date"));
    assertTrue(run("report", "--help").out().contains("reports/run_date=D/report.html"));
    assertTrue(run("backfill", "--help").out().contains("--from"));
    assertTrue(run("bench", "--help").out().contains("--max-accounts"));
  }

  @Test
  void anUnknownSubcommandIsAUsageError() {
    Run r = run("nosuch", "--help");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("Unmatched argument") && r.err().contains("nosuch"), r.err());
    Run none = run();
    assertEquals(2, none.code());
    assertTrue(none.err().contains("Missing subcommand (generate, nightly, validate, features, train, segments, score, lifecycle, report, retrain, backfill, publish"), none.err());
  }

  @Test
  void cliSpecDescribesEverySubcommandAsJson() throws Exception {
    Run r = run("cli-spec");
    assertEquals(0, r.code(), r.err());
    com.fasterxml.jackson.databind.JsonNode spec = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> byName = new java.util.HashMap<>();
    spec.get("subcommands").forEach(c -> byName.put(c.get("name").asText(), c));
    assertTrue(byName.keySet().containsAll(java.util.List.of("nightly", "retrain", "backfill", "publish", "cli-spec")),
        byName.keySet().toString());
    String publish = byName.get("publish").get("options").toString();
    assertTrue(publish.contains("{\"names\":[\"--run-date\"],\"type\":\"date\",\"required\":true,\"repeatable\":false}"),
        publish);
    assertTrue(publish.contains("\"values\":[\"postgres\",\"csv\"]"), publish);
    assertTrue(byName.get("report").get("options").toString().contains(
        "{\"names\":[\"--run-date\"],\"type\":\"date\",\"required\":true,\"repeatable\":false}"),
        byName.get("report").toString());
    assertTrue(byName.get("nightly").get("options").toString().contains(
        "{\"names\":[\"--set\"],\"type\":\"string\",\"required\":false,\"repeatable\":true}"));
  }

  @Test
  void nightlyNeedsAValidRunDate() {
    assertEquals(2, run("nightly").code());
    Run bad = run("nightly", "--run-date", "2026-13-01");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("is not a date YYYY-MM-DD"), bad.err());
  }

  @Test
  void aMissingConfigFileIsOneClearLine() {
    Run r = run("nightly", "--run-date", "2026-01-01", "--config", "does-not-exist.conf");
    assertEquals(1, r.code());
    assertEquals("churn nightly: Cannot load config: does-not-exist.conf does not exist (pass --config FILE)",
        r.err().strip());
  }

  @Test
  void aMissingRequiredSourceColumnNamesTheColumnsFoundWithoutAStackTrace(@TempDir Path dir) throws Exception {
    SparkSessions.configure(spark(), 2);
    Path accounts = Files.createDirectories(dir.resolve("accounts"));
    Files.writeString(accounts.resolve("a.csv"), "AccountNumber,CreatedDate\nA1,01/02/2024\n");
    Run r = nightlyWithAccounts(dir, accounts);
    assertEquals(1, r.code());
    String err = r.err().strip();
    assertTrue(err.startsWith("churn nightly: Cannot read source accounts"), err);
    assertTrue(err.contains("account_id (mapped to 'Id')"), err);
    assertTrue(err.contains("found columns: AccountNumber, CreatedDate"), err);
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
    assertEquals(1, err.lines().count(), err);
  }

  @Test
  void anUnreadableFileNamesTheSourceWithoutAStackTrace(@TempDir Path dir) throws Exception {
    SparkSessions.configure(spark(), 2);
    Path accounts = Files.createDirectories(dir.resolve("accounts"));
    StringBuilder csv = new StringBuilder("Id,CreatedDate\n");
    for (int i = 0; i < 20_000; i++) {
      csv.append("A").append(i).append(",01/02/2024\n");
    }
    java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
      gz.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    // An export cut off in transfer: the archive ends halfway.
    byte[] whole = zipped.toByteArray();
    Files.write(accounts.resolve("a.csv.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Run r = nightlyWithAccounts(dir, accounts);
    assertEquals(1, r.code());
    String err = r.err().strip();
    assertTrue(err.startsWith("churn nightly: Cannot read source accounts (csv " + accounts + "): "), err);
    assertFalse(err.contains("Lost task") || err.contains("stage failure"), "what failed, not where Spark ran it: " + err);
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
    assertEquals(2, err.lines().count(), err);
    assertEquals("(run again with --verbose for the stack trace)", err.lines().skip(1).findFirst().orElse(""));
  }

  /** A night over the accounts folder given and one subscription, mapped as a CRM and a billing export. */
  private static Run nightlyWithAccounts(Path dir, Path accounts) throws Exception {
    Path subs = Files.createDirectories(dir.resolve("subs"));
    Files.writeString(subs.resolve("s.csv"), "id,customer_ref,created,mrr\ns1,A1,1704153600,10\n");
    Path conf = dir.resolve("night.conf");
    Files.writeString(conf, """
        warehouse = "%s/wh"
        sources {
          accounts { format = csv, path = "%s", options { header = "true" },
                     columns { account_id = "Id", signup_date = "CreatedDate" }, formats { signup_date = "MM/dd/yyyy" } }
          subscriptions { format = csv, path = "%s", options { header = "true" },
                          columns { subscription_id = id, account_id = customer_ref, start_date = created },
                          formats { start_date = epoch_seconds } }
        }
        """.formatted(dir, accounts, subs));
    return run("nightly", "--run-date", "2024-06-01", "--config", conf.toString());
  }
}
