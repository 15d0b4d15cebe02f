package io.churnducks.features.indicators;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
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
 * <p>The state is {@linkplain #build built} from the roll-ups of the 90 days before each as-of date
 * (many dates at once: the month starts training reads); a night advances last night's instead,
 * held per account ({@link AccountUsageWindows}).
 */
public final class UsageWindows {

  /** Days of the recent window (1–28 before the as-of date) and the end of the previous one (29–56). */
  static final int RECENT_DAYS = 28;
  static final int PREVIOUS_DAYS = 56;
  /** Days in the low long of a 90-day set. */
  static final int DAYS_PER_MASK = 64;
  /** Bits of days 1–28 in the low long of a day set. */
  static final long RECENT_BITS = (1L << RECENT_DAYS) - 1;
  /** Bits of days 29–56 in the low long of a day set. */
  static final long PREVIOUS_BITS = RECENT_BITS << RECENT_DAYS;

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

  private static Column device() {
    return coalesce(col("device_id"), lit(""));
  }

  static Column quantity() {
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

  /** Bit {@code d − 1} of the low (days 1–64) or high (days 65–90) long of a 90-day set; 0 outside. */
  private static Column dayBit(Column daysBefore, boolean low) {
    Column inPart = low ? in(daysBefore, 1, DAYS_PER_MASK) : in(daysBefore, DAYS_PER_MASK + 1, LOOKBACK_DAYS);
    return when(inPart, call_function("shiftleft", lit(1L), daysBefore.minus(1).mod(DAYS_PER_MASK)))
        .otherwise(0L);
  }

  private static Column daySet(Column daysBefore, boolean low) {
    return bit_or(dayBit(daysBefore, low));
  }
}
