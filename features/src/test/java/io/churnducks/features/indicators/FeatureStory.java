package io.churnducks.features.indicators;

import io.churnducks.features.contract.InputContract;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Three accounts seen on the run date 2024-04-01, as canonical tables. Window boundaries:
 * D-1 = 03-31, D-28 = 03-04 (first day of the 28-day window), D-29 = 03-03, D-56 = 02-05,
 * D-57 = 02-04, D-90 = 01-02 (first day of the 90-day window), D-91 = 01-01.
 * <ul>
 *   <li>a1 "Retail", signed up 2024-01-01: a pro subscription (5 seats) and an ended discounted
 *       basic one; usage in every window, intent and error events, unpaid and late invoices, a credit
 *       note, tickets (one urgent, closed a day later), surveys.</li>
 *   <li>a2 "Tech" (120 employees), signed up 2024-03-20: onboarding right now; two subscriptions,
 *       one ending on D, the other on an introductory discount until 05-20; a refunded invoice
 *       (refund of unknown date: paid); an open high-priority ticket.</li>
 *   <li>a3 signed up on D: nothing yet.</li>
 * </ul>
 */
final class FeatureStory {

  private FeatureStory() {}

  static final LocalDate D = LocalDate.parse("2024-04-01");
  static final List<String> INTENT = List.of("pricing_page", "upgrade_click");
  /** Error events, key features, costs and a map cap of two features, so each setting shows in a value. */
  static final IndicatorSettings SETTINGS = new IndicatorSettings(INTENT, List.of("sync_error"), List.of("export"),
      0.5, Map.of("export", 2.0), 10.0, 2, 1);

  static final StructType SPINE = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("as_of_date", DataTypes.DateType, false);

  static Date d(String iso) {
    return Date.valueOf(LocalDate.parse(iso));
  }

  static Timestamp ts(String isoLocal) {
    return Timestamp.valueOf(LocalDateTime.parse(isoLocal));
  }

  /** Mutable lists of rows per canonical table, so a test can add to the story. */
  static final class Tables {
    final List<Object[]> accounts = new ArrayList<>();
    final List<Object[]> subscriptions = new ArrayList<>();
    final List<Object[]> invoices = new ArrayList<>();
    final List<Object[]> events = new ArrayList<>();
    final List<Object[]> tickets = new ArrayList<>();
    final List<Object[]> surveys = new ArrayList<>();

    Map<String, Dataset<Row>> frames(SparkSession spark) {
      Map<String, Dataset<Row>> out = new LinkedHashMap<>();
      out.put("accounts", frame(spark, InputContract.ACCOUNTS.schema(), accounts));
      out.put("subscriptions", frame(spark, InputContract.SUBSCRIPTIONS.schema(), subscriptions));
      out.put("invoices", frame(spark, InputContract.INVOICES.schema(), invoices));
      out.put("usage_events", frame(spark, InputContract.USAGE_EVENTS.schema(), events));
      out.put("support_tickets", frame(spark, InputContract.SUPPORT_TICKETS.schema(), tickets));
      out.put("surveys", frame(spark, InputContract.SURVEYS.schema(), surveys));
      return out;
    }

    /** Only the required sources. */
    Map<String, Dataset<Row>> requiredFrames(SparkSession spark) {
      Map<String, Dataset<Row>> all = frames(spark);
      Map<String, Dataset<Row>> out = new LinkedHashMap<>();
      out.put("accounts", all.get("accounts"));
      out.put("subscriptions", all.get("subscriptions"));
      return out;
    }

    void account(String id, String signup, String industry, String channel) {
      account(id, signup, industry, channel, 10);
    }

    void account(String id, String signup, String industry, String channel, Integer employees) {
      accounts.add(new Object[] {id, d(signup), "Name " + id, industry, employees, "DE", channel, 100.0, "csm1"});
    }

    void subscription(String id, String account, String start, String end, double mrr, Integer seats,
        double discountPct, String plan) {
      subscription(id, account, start, end, mrr, seats, discountPct, null, plan);
    }

    /** A subscription whose discount is time-limited: it ends on {@code discountEnd}. */
    void subscription(String id, String account, String start, String end, double mrr, Integer seats,
        double discountPct, String discountEnd, String plan) {
      subscriptions.add(new Object[] {id, account, d(start), end == null ? null : d(end), mrr, plan, 1, seats,
          discountPct, discountEnd == null ? null : d(discountEnd), true});
    }

    /** A subscription billed every {@code billingPeriodMonths} months, without seats or discount. */
    void subscription(String id, String account, String start, double mrr, int billingPeriodMonths, String plan) {
      subscriptions.add(new Object[] {id, account, d(start), null, mrr, plan, billingPeriodMonths, null, 0.0, null,
          true});
    }

    void invoice(String id, String account, String issued, String status) {
      invoice(id, account, issued, status, null);
    }

    void invoice(String id, String account, String issued, String status, String paid) {
      invoice(id, account, issued, 100.0, status, paid);
    }

    void invoice(String id, String account, String issued, double amount, String status, String paid) {
      invoices.add(new Object[] {id, account, d(issued), amount, status, paid == null ? null : d(paid)});
    }

    void event(String account, String time, String user, String device, String feature) {
      events.add(new Object[] {ts(time), feature, account, null, user, 1.0, device,
          "e" + (events.size() + 1)});
    }

    void ticket(String id, String account, String opened, Integer satisfaction) {
      // Closed (and rated) when opened, so a rating is known from the ticket's own day.
      ticket(id, account, opened, opened, "normal", satisfaction);
    }

    void ticket(String id, String account, String opened, String closed, String priority, Integer satisfaction) {
      tickets.add(new Object[] {id, account, ts(opened), closed == null ? null : ts(closed), priority, "billing",
          satisfaction});
    }

    void survey(String account, String responded, int nps) {
      surveys.add(new Object[] {account, ts(responded), nps});
    }
  }

  static Dataset<Row> frame(SparkSession spark, StructType schema, List<Object[]> rows) {
    return spark.createDataFrame(rows.stream().map(RowFactory::create).toList(), schema);
  }

  static Dataset<Row> spine(SparkSession spark, Object[]... rows) {
    return spark.createDataFrame(Arrays.stream(rows).map(RowFactory::create).toList(), SPINE);
  }

  /** The as-of date before D that the spine also holds for a1. */
  static final LocalDate MID = LocalDate.parse("2024-03-15");

  /** The story's spine: every account on D, and a1 on {@link #MID} too. */
  static Dataset<Row> storySpine(SparkSession spark) {
    Date on = Date.valueOf(D);
    return spine(spark, new Object[] {"a1", on}, new Object[] {"a2", on}, new Object[] {"a3", on},
        new Object[] {"a1", Date.valueOf(MID)});
  }

  private static CustomerFeatures.Result withAllSources;
  private static CustomerFeatures.Result withRequiredSources;

  /**
   * The features of the story on {@link #storySpine}, computed once per test JVM and materialised:
   * a computation of the whole catalogue costs seconds even on tiny frames.
   */
  static synchronized CustomerFeatures.Result withAllSources(SparkSession spark) {
    if (withAllSources == null) {
      withAllSources = materialised(CustomerFeatures.compute(storySpine(spark), story().frames(spark), SETTINGS));
    }
    return withAllSources;
  }

  /** As {@link #withAllSources} with only accounts and subscriptions configured. */
  static synchronized CustomerFeatures.Result withRequiredSources(SparkSession spark) {
    if (withRequiredSources == null) {
      withRequiredSources = materialised(
          CustomerFeatures.compute(storySpine(spark), story().requiredFrames(spark), SETTINGS));
    }
    return withRequiredSources;
  }

  private static CustomerFeatures.Result materialised(CustomerFeatures.Result r) {
    return new CustomerFeatures.Result(r.features().localCheckpoint(), r.disabled());
  }

  static Tables story() {
    Tables t = new Tables();
    t.account("a1", "2024-01-01", "Retail", "ads");
    t.account("a2", "2024-03-20", "Tech", "referral", 120);
    t.account("a3", "2024-04-01", null, "partner");

    t.subscription("s1", "a1", "2024-01-01", null, 100.0, 5, 0.0, "pro");
    t.subscription("s0", "a1", "2023-12-01", "2024-03-01", 50.0, 2, 20.0, "2024-03-01", "basic");
    t.subscription("s2", "a2", "2024-03-20", null, 30.0, 2, 10.0, "2024-05-20", "starter");
    t.subscription("s3", "a2", "2024-03-25", "2024-04-01", 20.0, 1, 0.0, "addon");

    // a1 usage: last 28 days [03-04, 03-31], previous 28 days [02-05, 03-03].
    t.event("a1", "2024-03-30T23:59:59", "u1", "d1", "report");
    t.event("a1", "2024-03-04T00:00:00", "u2", "d2", "export");
    t.event("a1", "2024-03-10T12:00:00", "u1", "d9", "report");
    t.event("a1", "2024-03-10T13:00:00", "u1", "d1", "pricing_page");
    t.event("a1", "2024-03-31T10:00:00", "u4", "d4", "upgrade_click");
    t.event("a1", "2024-03-03T23:59:59", "u3", "d3", "report");
    t.event("a1", "2024-02-05T00:00:00", "u1", "d1", "report");
    t.event("a1", "2024-02-04T23:00:00", "u1", "d1", "report");
    // a1 onboarding: days 0-13 after signup are 01-01 .. 01-14.
    t.event("a1", "2024-01-01T09:00:00", "u1", "d1", "onboard");
    t.event("a1", "2024-01-14T23:00:00", "u1", "d1", "invite");
    t.event("a1", "2024-01-15T00:00:00", "u1", "d1", "share");
    t.event("a1", "2024-01-05T10:00:00", "u1", "d1", "pricing_page");
    t.event("a1", "2024-03-20T10:00:00", "u1", "d1", "sync_error");

    t.event("a2", "2024-03-20T08:00:00", "u7", "d7", "onboard");
    t.event("a2", "2024-03-21T09:00:00", "u7", "d7", "report");
    t.event("a2", "2024-03-21T10:00:00", "u8", "d8", "report");
    t.event("a2", "2024-03-25T11:00:00", "u7", "d7", "pricing_page");

    // Unpaid on D: i1, i2 (first day of the 90-day window), i7 (paid after D); i3 too, but issued before the window.
    t.invoice("i1", "a1", "2024-03-31", "failed");
    t.invoice("i2", "a1", "2024-01-02", "failed");
    t.invoice("i3", "a1", "2024-01-01", "failed");
    t.invoice("i4", "a1", "2024-02-01", "paid", "2024-02-01");
    t.invoice("i5", "a1", "2023-12-20", "paid", "2024-02-20"); // 62 days after issue: late, seen from MID only
    t.invoice("i7", "a1", "2024-03-01", "paid", "2024-04-02");
    t.invoice("i6", "a2", "2024-03-20", "paid", "2024-03-20");
    t.invoice("i8", "a2", "2024-03-21", "refunded", "2024-03-22");
    t.invoice("i9", "a1", "2024-03-05", -20.0, "paid", "2024-03-05"); // a credit note

    t.ticket("t1", "a1", "2024-03-31T23:00:00", 4);
    t.ticket("t2", "a1", "2024-01-02T00:00:00", 2);
    t.ticket("t3", "a1", "2024-01-01T23:59:00", 1);
    t.ticket("t4", "a1", "2024-02-10T12:00:00", "2024-02-11T12:00:00", "urgent", null);
    t.ticket("t5", "a2", "2024-03-22T12:00:00", null);
    t.ticket("t6", "a2", "2024-03-28T09:00:00", null, "high", null);

    t.survey("a1", "2024-01-10T10:00:00", 9);
    t.survey("a1", "2024-03-15T10:00:00", 3);
    t.survey("a2", "2024-03-25T18:00:00", 8);
    t.survey("a2", "2024-03-25T08:00:00", 6);
    return t;
  }
}
