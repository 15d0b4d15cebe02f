package io.churnducks.jobs.nightly;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.config.ChurnConfig;
import io.churnducks.jobs.io.SparkSessions;
import io.churnducks.jobs.io.Warehouse;
import io.churnducks.jobs.rollup.UsageRollupStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Events that arrive before their account does (a CRM export lagging the product's events by
 * more than the late window) are rejected as unknown_account, and counted once the account is
 * known: the night after, the warehouse holds the roll-ups a full run would.
 */
class LaggingAccountsTest extends SparkTestBase {

  @TempDir
  Path dir;

  @Test
  void eventsRejectedForAnAccountNotYetKnownAreRolledUpOnceItIs() throws IOException {
    SparkSessions.configure(spark(), 2);
    Path accounts = Files.createDirectories(dir.resolve("accounts"));
    Path subs = Files.createDirectories(dir.resolve("subscriptions"));
    Path events = dir.resolve("events");
    Files.writeString(subs.resolve("s.csv"), "subscription_id,account_id,start_date,mrr\ns1,A1,2024-01-01,10\n");
    // A2's first events, weeks before the first run that knows A2.
    for (String day : List.of("2024-05-01", "2024-05-02", "2024-05-30")) {
      Path folder = Files.createDirectories(events.resolve("event_date=" + day));
      Files.writeString(folder.resolve("part-0.csv"), "account_id,event_time,feature,user_id\n"
          + "A1," + day + "T09:00:00,report,u1\nA1," + day + "T10:00:00,report,u1\nA2," + day + "T11:00:00,report,u9\n");
    }

    Files.writeString(accounts.resolve("a.csv"), "account_id,signup_date\nA1,2024-01-01\n");
    Warehouse incremental = new Warehouse(spark(), dir.resolve("incremental").toString());
    new NightlyJob(spark(), config(accounts, subs, events, incremental), LocalDate.parse("2024-05-31"))
        .run(EnumSet.of(NightlyJob.Stage.validate));
    assertEquals(3L, events(incremental, "A2", "usage_quarantine"));

    // The CRM export catches up the next night.
    Files.writeString(accounts.resolve("a.csv"), "account_id,signup_date\nA1,2024-01-01\nA2,2024-04-30\n");
    new NightlyJob(spark(), config(accounts, subs, events, incremental), LocalDate.parse("2024-06-01"))
        .run(EnumSet.of(NightlyJob.Stage.validate));
    Warehouse full = new Warehouse(spark(), dir.resolve("full").toString());
    new NightlyJob(spark(), config(accounts, subs, events, full), LocalDate.parse("2024-06-01"))
        .run(EnumSet.of(NightlyJob.Stage.validate));

    assertEquals(3L, events(full, "A2", UsageRollupStage.FEATURE_DAYS));
    assertEquals(3L, events(incremental, "A2", UsageRollupStage.FEATURE_DAYS));
    assertEquals(0L, events(incremental, "A2", "usage_quarantine"));
    assertFramesEqual(full.readAll(UsageRollupStage.FEATURE_DAYS), incremental.readAll(UsageRollupStage.FEATURE_DAYS));
  }

  /** A2's events: summed in the roll-up, or rows in the quarantine. */
  private long events(Warehouse w, String account, String table) {
    if (table.equals(UsageRollupStage.FEATURE_DAYS)) {
      return w.readAll(table).where(col("account_id").equalTo(account)).agg(sum("events")).first().getLong(0);
    }
    return w.readAll(table).where(col("value").equalTo(account)).count();
  }

  private ChurnConfig config(Path accounts, Path subs, Path events, Warehouse warehouse) throws IOException {
    Path conf = dir.resolve("lagging.conf");
    Files.writeString(conf, """
        sources {
          accounts { format = csv, path = "%s", options { header = "true" } }
          subscriptions { format = csv, path = "%s", options { header = "true" } }
          usage_events { format = csv, path = "%s", options { header = "true" } }
        }
        """.formatted(accounts, subs, events));
    return ChurnConfig.load(conf.toFile(), List.of("warehouse=" + warehouse.root(),
        "validation.max-rejected-share=0.5"));
  }
}
