package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.churnducks.features.indicators.UsageFrequencyIndicators.LOOKBACK_DAYS;
import static org.apache.spark.sql.functions.bit_or;
import static org.apache.spark.sql.functions.call_function;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.shiftleft;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * What the windowed usage indicators ({@link UsageFrequencyIndicators}) are computed from, as of an
 * as-of date D: the usage of the {@value UsageFrequencyIndicators#LOOKBACK_DAYS} days before D,
 * summed at three grains.
 * <ul>
 *   <li>{@code features} (account × feature): events in days 1–28, 29–56 and 1–90 before D,
 *       quantity in days 1–28, and the days with events as a 90-bit day set;</li>
 *   <li>{@code feature_users} (account × feature × user): the days of the last 28 the user used
 *       the feature, a 28-bit day set;</li>
 *   <li>{@code devices} (account × user × device, no device being {@code ""}): the days with events
 *       as a 90-bit day set, and the events of days 29–90.</li>
 * </ul>
 * A day set has bit {@code d − 1} set when there was usage d days before D; 90 bits are two longs,
 * {@code days_low} (days 1–64) and {@code days_high} (days 65–90).
 *
 * <p>The state is {@linkplain #build built} from the roll-ups of the 90 days before each as-of date,
 * or {@linkplain #advance advanced} from the state of an earlier date A to D = A + k days: only the
 * roll-up days whose place in a window changes are read, the k days that enter ([A, D)) and the k
 * days that cross each window's far edge (28, 56 and 90 days before A). A sum moves by those days'
 * events times the change of their weight; a day set shifts by k and takes the new days' bits. A
 * night that follows yesterday's state reads four days of roll-ups, however long the history is,
 * and gives exactly the values a build from the whole window gives (every sum is of whole events or
 * of decimal quantities).
 */
public final class UsageWindows {

  /** Largest step from an anchor's date that {@link #advance} takes; a longer gap is rebuilt. */
  public static final int MAX_STEP_DAYS = 28;

  private static final int RECENT_DAYS = 28;
  private static final int PREVIOUS_DAYS = 56;
  private static final int DAYS_PER_MASK = 64;
  /** Bits of days 1–28 in the low long of a day set. */
  static final long RECENT_BITS = (1L << RECENT_DAYS) - 1;
  /** Bits of days 29–56 in the low long of a day set. */
  static final long PREVIOUS_BITS = RECENT_BITS << RECENT_DAYS;
  private static final long HIGH_BITS = (1L << (LOOKBACK_DAYS - DAYS_PER_MASK)) - 1;

  /**
   * Quantities are summed as decimals with 9 places: a sum carried from night to night, or added in
   * another order (another partitioning, a cluster), is then exactly the sum of its parts.
   */
  public static final DecimalType QUANTITY = DataTypes.createDecimalType(30, 9);

  public static final StructType FEATURES_SCHEMA = new StructType()
      .add("account_id", StringType).add("as_of_date", DateType).add("feature", StringType)
      .add("e28", LongType).add("eprev", LongType).add("e90", LongType).add("q28", QUANTITY)
      .add("days_low", LongType).add("days_high", LongType);

  public static final StructType FEATURE_USERS_SCHEMA = new StructType()
      .add("account_id", StringType).add("as_of_date", DateType).add("feature", StringType)
      .add("user_id", StringType).add("days", LongType);

  public static final StructType DEVICES_SCHEMA = new StructType()
      .add("account_id", StringType).add("as_of_date", DateType).add("user_id", StringType)
      .add("device_id", StringType).add("days_low", LongType).add("days_high", LongType).add("earlier", LongType);

  /**
   * The three grains, each keyed by {@code account_id, as_of_date}.
   */
  public record State(Dataset<Row> features, Dataset<Row> featureUsers, Dataset<Row> devices) {}

  /** A state known as of an earlier date, to {@linkplain #advance advance} from. */
  public record Anchor(LocalDate asOfDate, State state) {}

  private UsageWindows() {}

  /**
   * The state of every as-of date of the spine, from the roll-ups of the 90 days before each.
   *
   * @param spine       {@code account_id, as_of_date}; only its distinct dates are used
   * @param featureDays account × day × feature roll-up ({@code users} lists the day's users)
   * @param userDays    account × day × user × device roll-up
   */
  public static State build(Dataset<Row> spine, Dataset<Row> featureDays, Dataset<Row> userDays) {
    Windows.require(featureDays, "usage windows", "account_id", "event_date", "feature", "events", "quantity",
        "users");
    Windows.require(userDays, "usage windows", "account_id", "event_date", "user_id", "device_id", "events");
    Column x = datediff(col("as_of_date"), col("event_date"));
    Dataset<Row> days = Windows.before(featureDays, "event_date", spine, LOOKBACK_DAYS);
    Dataset<Row> features = days.groupBy("account_id", "as_of_date", "feature").agg(
        total(col("events"), in(x, 1, RECENT_DAYS)).as("e28"),
        total(col("events"), in(x, RECENT_DAYS + 1, PREVIOUS_DAYS)).as("eprev"),
        total(col("events"), lit(true)).as("e90"),
        coalesce(sum(when(in(x, 1, RECENT_DAYS), quantity())), zero()).as("q28"),
        daySet(x, true).as("days_low"), daySet(x, false).as("days_high"));
    Dataset<Row> featureUsers = users(days.where(in(x, 1, RECENT_DAYS)), x);
    Dataset<Row> devices = Windows.before(userDays.where(col("user_id").isNotNull()), "event_date", spine,
            LOOKBACK_DAYS)
        .groupBy(col("account_id"), col("as_of_date"), col("user_id"), device().as("device_id")).agg(
            daySet(x, true).as("days_low"), daySet(x, false).as("days_high"),
            total(col("events"), in(x, RECENT_DAYS + 1, LOOKBACK_DAYS)).as("earlier"));
    return conform(features, featureUsers, devices);
  }

  /**
   * The state as of {@code date}, from the anchor's state and the roll-up days whose weight in a
   * window changes between the two dates.
   *
   * @param anchor      the state as of an earlier date, at most {@value #MAX_STEP_DAYS} days before
   * @param featureDays account × day × feature roll-up (any range; only the changing days are read)
   * @param userDays    account × day × user × device roll-up
   */
  public static State advance(Anchor anchor, LocalDate date, Dataset<Row> featureDays, Dataset<Row> userDays) {
    LocalDate from = anchor.asOfDate();
    long step = ChronoUnit.DAYS.between(from, date);
    if (step < 1 || step > MAX_STEP_DAYS) {
      throw new IllegalArgumentException("Cannot advance usage windows from " + from + " to " + date
          + ": the step must be 1 to " + MAX_STEP_DAYS + " days");
    }
    int k = (int) step;
    Column before = datediff(UsageHistory.sqlDate(from), col("event_date"));
    Column after = before.plus(k);
    Column fresh = before.leq(0);
    Column asOf = UsageHistory.sqlDate(date);
    State old = anchor.state();
    // Each grain is the anchor's rows (day sets moved k days) and the changing roll-up rows (each
    // row's change of weight, the new days' bits) put together and summed by key: one shuffle,
    // partial sums before it, and no join.
    Dataset<Row> days = changing(featureDays, from, date, k);
    Dataset<Row> features = old.features()
        .select(col("account_id"), col("feature"), col("e28"), col("eprev"), col("e90"), col("q28").cast(QUANTITY),
            shiftLow(col("days_low"), k).as("days_low"), shiftHigh(col("days_low"), col("days_high"), k)
                .as("days_high"))
        .unionAll(days.select(col("account_id"), col("feature"),
            change(events(), before, after, 1, RECENT_DAYS).as("e28"),
            change(events(), before, after, RECENT_DAYS + 1, PREVIOUS_DAYS).as("eprev"),
            change(events(), before, after, 1, LOOKBACK_DAYS).as("e90"),
            change(quantity(), before, after, 1, RECENT_DAYS).cast(QUANTITY).as("q28"),
            newBits(fresh, after, true).as("days_low"), newBits(fresh, after, false).as("days_high")))
        .groupBy("account_id", "feature").agg(
            sumOf("e28"), sumOf("eprev"), sumOf("e90"), coalesce(sum(col("q28")), zero()).as("q28"),
            bit_or(col("days_low")).as("days_low"),
            bit_or(col("days_high")).as("days_high"))
        .where(anyDay())
        .withColumn("as_of_date", asOf);

    Dataset<Row> featureUsers = old.featureUsers()
        .select(col("account_id"), col("feature"), col("user_id"),
            shiftLow(col("days"), k).bitwiseAND(lit(RECENT_BITS)).as("days"))
        .unionAll(userBits(days.where(fresh), after, col("account_id"), col("feature")))
        .groupBy("account_id", "feature", "user_id").agg(bit_or(col("days")).as("days"))
        .where(col("days").notEqual(0L))
        .withColumn("as_of_date", asOf);

    Dataset<Row> devices = old.devices()
        .select(col("account_id"), col("user_id"), col("device_id"), shiftLow(col("days_low"), k).as("days_low"),
            shiftHigh(col("days_low"), col("days_high"), k).as("days_high"), col("earlier"))
        .unionAll(changing(userDays.where(col("user_id").isNotNull()), from, date, k)
            .select(col("account_id"), col("user_id"), device().as("device_id"),
                newBits(fresh, after, true).as("days_low"), newBits(fresh, after, false).as("days_high"),
                change(events(), before, after, RECENT_DAYS + 1, LOOKBACK_DAYS).as("earlier")))
        .groupBy("account_id", "user_id", "device_id").agg(
            bit_or(col("days_low")).as("days_low"), bit_or(col("days_high")).as("days_high"),
            sumOf("earlier"))
        .where(anyDay())
        .withColumn("as_of_date", asOf);
    return conform(features, featureUsers, devices);
  }

  /** Roll-up rows of the days that enter a window or cross a window's far edge from {@code from} to {@code to}. */
  private static Dataset<Row> changing(Dataset<Row> rollup, LocalDate from, LocalDate to, int k) {
    Column day = col("event_date");
    Column entering = day.geq(UsageHistory.sqlDate(from)).and(day.lt(UsageHistory.sqlDate(to)));
    Column out = entering;
    for (int edge : new int[] {RECENT_DAYS, PREVIOUS_DAYS, LOOKBACK_DAYS}) {
      LocalDate start = from.minusDays(edge);
      out = out.or(day.geq(UsageHistory.sqlDate(start)).and(day.lt(UsageHistory.sqlDate(start.plusDays(k)))));
    }
    return rollup.where(out);
  }

  /** Per feature and user, the days of the rows given (all within 28 days before the as-of date). */
  private static Dataset<Row> users(Dataset<Row> featureDays, Column daysBefore) {
    return userBits(featureDays, daysBefore, col("account_id"), col("as_of_date"), col("feature"))
        .groupBy("account_id", "as_of_date", "feature", "user_id")
        .agg(bit_or(col("days")).as("days"));
  }

  /** One row per user of each roll-up row given: the keys, {@code user_id} and the day's bit in a 28-day set. */
  private static Dataset<Row> userBits(Dataset<Row> featureDays, Column daysBefore, Column... keys) {
    List<Column> out = new ArrayList<>(Arrays.asList(keys));
    out.add(explode(col("users")).as("user_id"));
    out.add(dayBit(daysBefore, true).as("days"));
    return featureDays.select(out.toArray(Column[]::new)).where(col("user_id").isNotNull());
  }

  private static State conform(Dataset<Row> features, Dataset<Row> featureUsers, Dataset<Row> devices) {
    return new State(select(features, FEATURES_SCHEMA), select(featureUsers, FEATURE_USERS_SCHEMA),
        select(devices, DEVICES_SCHEMA));
  }

  private static Dataset<Row> select(Dataset<Row> rows, StructType schema) {
    return rows.select(java.util.Arrays.stream(schema.fields())
        .map(f -> col(f.name()).cast(f.dataType()).as(f.name())).toArray(Column[]::new));
  }

  private static Column events() {
    return col("events").cast(LongType);
  }

  /** Sum of a grain's column over the anchor's row and the changing rows; 0 when none adds to it. */
  private static Column sumOf(String column) {
    return coalesce(sum(col(column)), lit(0L)).as(column);
  }

  private static Column device() {
    return coalesce(col("device_id"), lit(""));
  }

  private static Column quantity() {
    return coalesce(col("quantity"), col("events")).cast(DataTypes.createDecimalType(28, 9));
  }

  private static Column zero() {
    return lit(java.math.BigDecimal.ZERO).cast(QUANTITY);
  }

  private static Column in(Column daysBefore, int from, int to) {
    return daysBefore.between(from, to);
  }

  /** Sum of {@code values} where {@code condition} holds; 0 when it never does. */
  private static Column total(Column values, Column condition) {
    return coalesce(sum(when(condition, values)), lit(0L));
  }

  /**
   * Change of a window sum when a row moves from {@code before} to {@code after} days back: its
   * value when it enters the window, minus its value when it leaves it, else null (adds nothing).
   */
  private static Column change(Column values, Column before, Column after, int from, int to) {
    Column was = in(before, from, to);
    Column is = in(after, from, to);
    return when(is.and(not(was)), values).when(was.and(not(is)), values.unary_$minus());
  }

  /** Bit {@code d − 1} of the low (days 1–64) or high (days 65–90) long of a 90-day set; 0 outside. */
  private static Column dayBit(Column daysBefore, boolean low) {
    Column inPart = low ? in(daysBefore, 1, DAYS_PER_MASK) : in(daysBefore, DAYS_PER_MASK + 1, LOOKBACK_DAYS);
    return when(inPart, call_function("shiftleft", lit(1L), daysBefore.minus(1).mod(DAYS_PER_MASK)))
        .otherwise(0L);
  }

  private static Column daySet(Column daysBefore, boolean low) {
    return bit_or(dayBit(daysBefore, low));
  }

  /** Day-set bit (low or high long) of a row that entered the window since the anchor; 0 for the others. */
  private static Column newBits(Column fresh, Column after, boolean low) {
    return when(fresh, dayBit(after, low)).otherwise(0L);
  }

  /** Whether a 90-day set has a day left. */
  private static Column anyDay() {
    return col("days_low").notEqual(0L).or(col("days_high").notEqual(0L));
  }

  private static Column shiftLow(Column low, int k) {
    return shiftleft(coalesce(low, lit(0L)), k);
  }

  /** The high long of a 90-day set moved k days back: its own bits and the low long's top k, cut at day 90. */
  private static Column shiftHigh(Column low, Column high, int k) {
    return shiftleft(coalesce(high, lit(0L)), k).bitwiseOR(shiftrightunsigned(coalesce(low, lit(0L)),
        DAYS_PER_MASK - k)).bitwiseAND(lit(HIGH_BITS));
  }
}
