package io.churnducks.features.indicators;

import org.apache.spark.api.java.function.CoGroupFunction;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static io.churnducks.features.indicators.UsageFrequencyIndicators.LOOKBACK_DAYS;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

/**
 * The usage windows of {@link UsageWindows} held per account: one row per account and as-of date,
 * its features (each with the users of its last 28 days) and its users' devices as arrays. A night
 * advances them with one pass per account ({@link #advance}): last night's row and the roll-up rows
 * whose place in a window changes, brought together by account in one shuffle, give tonight's row
 * and the sums the windowed usage indicators are made of ({@link #AGGREGATES}, finished by
 * {@link UsageFrequencyIndicators#finish}). Advanced as the three grains of {@link UsageWindows},
 * a night took a shuffle per grain and three more to read the indicators from them: most of its
 * usage step at 10,000 accounts. Given last night's running values of {@link UsageHistory} (last
 * active day, first value, onboarding and lifetime usage), the same pass continues them from the
 * days that enter, so a night needs no second pass over the roll-ups for them.
 *
 * <p>From A to D = A + k days only the roll-up days whose place in a window changes are read: the
 * k days that enter ([A, D)) and the k days that cross each window's far edge (28, 56 and 90 days
 * before A). A sum moves by those days' events times the change of their weight; a day set shifts
 * by k and takes the new days' bits; a feature or device without a day left in 90 is dropped, a
 * user without a day left in 28 leaves the feature. A night therefore reads four days of roll-ups
 * however long the history is, and gets exactly what a build from the whole window gives (every
 * sum is of whole events or of decimal quantities); {@code UsageWindowsTest} holds it to one.
 */
public final class AccountUsageWindows {

  /** Largest step from the stored date that {@link #advance} takes; a longer gap is built again. */
  public static final int MAX_STEP_DAYS = 28;

  private static final int RECENT_DAYS = UsageWindows.RECENT_DAYS;
  private static final int PREVIOUS_DAYS = UsageWindows.PREVIOUS_DAYS;
  private static final int DAYS_PER_MASK = UsageWindows.DAYS_PER_MASK;
  private static final long HIGH_BITS = (1L << (LOOKBACK_DAYS - DAYS_PER_MASK)) - 1;

  /** Cost sums: the type Spark gives decimal(30, 9) quantities times decimal(18, 9) unit costs. */
  private static final DecimalType COST = DataTypes.createDecimalType(38, 7);
  private static final int UNIT_COST_SCALE = 9;

  private static final StructType USER = new StructType().add("user_id", StringType).add("days", LongType);

  private static final StructType FEATURE = new StructType().add("feature", StringType).add("e28", LongType)
      .add("eprev", LongType).add("e90", LongType).add("q28", UsageWindows.QUANTITY).add("days_low", LongType)
      .add("days_high", LongType).add("users", new ArrayType(USER, true));

  private static final StructType DEVICE = new StructType().add("user_id", StringType).add("device_id", StringType)
      .add("days_low", LongType).add("days_high", LongType).add("earlier", LongType);

  /** One account's windows as of a date, nested. */
  public static final StructType STATE_SCHEMA = new StructType().add("account_id", StringType)
      .add("as_of_date", DateType).add("features", new ArrayType(FEATURE, true))
      .add("devices", new ArrayType(DEVICE, true));

  /**
   * One account's windows as of a date, packed: the content of {@link #STATE_SCHEMA}'s arrays in
   * one binary value ({@link #unpack} opens it). A night reads and writes every account's windows;
   * as nested arrays of structs, writing, shuffling and reading them back as rows was most of its
   * usage step at 10,000 accounts.
   */
  public static final StructType PACKED_SCHEMA = new StructType().add("account_id", StringType)
      .add("as_of_date", DateType).add("windows", DataTypes.BinaryType);

  /** Layout version of {@link #PACKED_SCHEMA}'s value, its first byte. */
  private static final byte PACKED_FORMAT = 1;

  /** A product feature used in days 1-56, for the per-feature maps (as the SQL aggregate lists it). */
  private static final StructType LISTED = new StructType().add("rank", LongType, false).add("f", StringType)
      .add("e28", DataTypes.DoubleType, false).add("eprev", DataTypes.DoubleType, false)
      .add("u28", DataTypes.DoubleType, false);

  /** Per account and date, what {@link UsageFrequencyIndicators#finish} makes the indicators of. */
  public static final StructType AGGREGATES = new StructType().add("events_28d", LongType)
      .add("events_prev_28d", LongType).add("events_90d", LongType).add("active_days_28d", IntegerType)
      .add("active_days_90d", IntegerType).add("features_used_28d", LongType).add("key_feature_events_28d", LongType)
      .add("_key_events_90d", LongType).add("intent_events_28d", LongType).add("error_events_28d", LongType)
      .add("usage_cost_28d", COST).add("_features", new ArrayType(LISTED, true))
      .add("active_users_28d", LongType).add("active_users_prev_28d", LongType).add("lost_users_28d", LongType)
      .add("lost_users_90d", LongType).add("_lost_events", LongType).add("_earlier_events", LongType)
      .add("_user_devices", LongType);

  /**
   * Per account and date, the running values of {@link UsageHistory} ({@link UsageHistory#STATE}),
   * continued from an anchor's when {@link #advance} is given them; null otherwise.
   */
  public static final StructType HISTORY = UsageHistory.STATE_TYPES;

  /**
   * Whether an advanced row's account is among the accounts given with their running values
   * ({@code listed}; null when none were given) and its signup date: a row for each of those
   * accounts, with or without windows, is all its usage indicators are made of
   * ({@link UsageIndicators#advanced}).
   */
  public static final StructType LISTING = new StructType().add("listed", DataTypes.BooleanType)
      .add("signup_date", DateType);

  /** An advanced row: the packed state, its aggregates, the running values and the listing. */
  public static final StructType ADVANCED_SCHEMA = concat(concat(concat(PACKED_SCHEMA, AGGREGATES), HISTORY),
      LISTING);

  /**
   * Changing roll-up rows of one account: a feature day ({@code kind} 0, {@code before} = days
   * before the anchor) or a user's device day (1); and the account's running values as of the
   * anchor (2, {@code before} = days from signup to the anchor, then {@link #HISTORY}).
   */
  private static final StructType CHANGE = concat(new StructType().add("account_id", StringType)
      .add("kind", IntegerType).add("before", IntegerType).add("events", LongType).add("feature", StringType)
      .add("q", UsageWindows.QUANTITY).add("users", new ArrayType(StringType, true)).add("user_id", StringType)
      .add("device_id", StringType), HISTORY);

  private static final int HISTORY_AT = CHANGE.fieldIndex(UsageHistory.LAST_ACTIVE);

  private AccountUsageWindows() {}

  /** The per-account rows of usage windows held as grains (as {@link UsageWindows#build} gives them). */
  public static Dataset<Row> nest(UsageWindows.State state) {
    String[] date = {"account_id", "as_of_date"};
    Dataset<Row> users = state.featureUsers().groupBy("account_id", "as_of_date", "feature")
        .agg(array_sort(collect_list(struct(col("user_id"), col("days")))).as("users"));
    Dataset<Row> features = state.features()
        .join(users, new String[] {"account_id", "as_of_date", "feature"}, "left")
        .groupBy("account_id", "as_of_date").agg(array_sort(collect_list(struct(col("feature"), col("e28"),
            col("eprev"), col("e90"), col("q28"), col("days_low"), col("days_high"),
            coalesce(col("users"), array().cast(new ArrayType(USER, true))).as("users")))).as("features"));
    Dataset<Row> devices = state.devices().groupBy("account_id", "as_of_date")
        .agg(array_sort(collect_list(struct(col("user_id"), col("device_id"), col("days_low"), col("days_high"),
            col("earlier")))).as("devices"));
    return features.join(devices, date, "full").select(col("account_id"), col("as_of_date"),
        coalesce(col("features"), array().cast(new ArrayType(FEATURE, true))).as("features"),
        coalesce(col("devices"), array().cast(new ArrayType(DEVICE, true))).as("devices"));
  }

  /**
   * The windows as of {@code date} and their aggregates, from the windows as of {@code from} (at
   * most {@value #MAX_STEP_DAYS} days before) and the roll-up days whose weight in a
   * window changes between the two dates.
   *
   * @param state       {@link #PACKED_SCHEMA} rows (or {@link #STATE_SCHEMA} rows) as of {@code from}
   * @param featureDays account × day × feature roll-up (any range; only the changing days are read)
   * @param userDays    account × day × user × device roll-up
   * @return {@link #ADVANCED_SCHEMA} rows, one per account with usage in the 90 days before {@code date}
   */
  public static Dataset<Row> advance(Dataset<Row> state, LocalDate from, LocalDate date, Dataset<Row> featureDays,
      Dataset<Row> userDays, IndicatorSettings settings) {
    return advance(state, Optional.empty(), from, date, featureDays, userDays, settings);
  }

  /**
   * {@link #advance} that also continues each account's running values of {@link UsageHistory}
   * ({@link #HISTORY}) from the anchor's by the days that enter: the roll-up rows it reads already.
   * Every account given gets a row, with or without usage in the 90 days (an account without
   * used nothing in the step and keeps the anchor's values), listed and with its signup date
   * ({@link #LISTING}); an account with windows that is not given keeps them, unlisted.
   *
   * @param history {@code account_id, signup_date} of every account, with its
   *     {@link UsageHistory#STATE} as of {@code from} (null when it had none)
   */
  public static Dataset<Row> advance(Dataset<Row> state, Optional<Dataset<Row>> history, LocalDate from,
      LocalDate date, Dataset<Row> featureDays, Dataset<Row> userDays, IndicatorSettings settings) {
    long step = ChronoUnit.DAYS.between(from, date);
    if (step < 1 || step > MAX_STEP_DAYS) {
      throw new IllegalArgumentException("Cannot advance usage windows from " + from + " to " + date
          + ": the step must be 1 to " + MAX_STEP_DAYS + " days");
    }
    int k = (int) step;
    Column before = datediff(UsageHistory.sqlDate(from), col("event_date"));
    Dataset<Row> featureChanges = changing(featureDays, from, date, k).select(col("account_id"),
        lit(0).as("kind"), before.as("before"), col("events").cast(LongType).as("events"), col("feature"),
        UsageWindows.quantity().cast(UsageWindows.QUANTITY).as("q"), col("users"),
        lit(null).cast(StringType).as("user_id"), lit(null).cast(StringType).as("device_id"));
    Dataset<Row> deviceChanges = changing(userDays.where(col("user_id").isNotNull()), from, date, k)
        .select(col("account_id"), lit(1).as("kind"), before.as("before"), col("events").cast(LongType).as("events"),
            lit(null).cast(StringType).as("feature"), lit(null).cast(UsageWindows.QUANTITY).as("q"),
            lit(null).cast(new ArrayType(StringType, true)).as("users"), col("user_id"),
            coalesce(col("device_id"), lit("")).as("device_id"));
    Dataset<Row> changes = featureChanges.unionAll(deviceChanges);
    for (StructField f : HISTORY.fields()) {
      changes = changes.withColumn(f.name(), lit(null).cast(f.dataType()));
    }
    if (history.isPresent()) {
      List<Column> anchored = new ArrayList<>(List.of(col("account_id"), lit(2).as("kind"),
          datediff(UsageHistory.sqlDate(from), col("signup_date")).as("before")));
      for (StructField f : CHANGE.fields()) {
        if (CHANGE.fieldIndex(f.name()) > 2) {
          anchored.add((HISTORY.getFieldIndex(f.name()).isDefined() ? col(f.name()) : lit(null))
              .cast(f.dataType()).as(f.name()));
        }
      }
      changes = changes.unionByName(history.get().select(anchored.toArray(Column[]::new)));
    }
    changes = changes.select(Arrays.stream(CHANGE.fieldNames()).map(c -> col(c)).toArray(Column[]::new));
    boolean packed = Arrays.asList(state.columns()).contains("windows");
    StructType layout = packed ? PACKED_SCHEMA : STATE_SCHEMA;
    Dataset<Row> old = state.select(Arrays.stream(layout.fieldNames()).map(c -> col(c)).toArray(Column[]::new));
    Step stepper = new Step(k, date, settings, history.isPresent(), packed);
    // Grouped on the column itself (no key function that would rebuild every nested row); both
    // sides' keys must have the same type, nullability included.
    Column key = when(col("account_id").isNotNull(), col("account_id"));
    return old.groupBy(key).as(Encoders.STRING(), Encoders.row(layout))
        .cogroup(changes.groupBy(key).as(Encoders.STRING(), Encoders.row(CHANGE)), stepper,
            Encoders.row(ADVANCED_SCHEMA));
  }

  /**
   * Windows held per account ({@link #nest}) with their aggregates, as of the date they hold: an
   * advance by no day.
   *
   * @param state {@link #STATE_SCHEMA} rows as of {@code date}
   * @return {@link #ADVANCED_SCHEMA} rows
   */
  public static Dataset<Row> measure(Dataset<Row> state, LocalDate date, IndicatorSettings settings) {
    Step same = new Step(0, date, settings, false, false);
    return state.select(Arrays.stream(STATE_SCHEMA.fieldNames()).map(c -> col(c)).toArray(Column[]::new))
        .flatMap((FlatMapFunction<Row, Row>) r -> same.call(r.getString(0), List.of(r).iterator(),
            java.util.Collections.emptyIterator()), Encoders.row(ADVANCED_SCHEMA));
  }

  /**
   * Packed windows ({@link #PACKED_SCHEMA}, or {@link #ADVANCED_SCHEMA}) as the nested rows of
   * {@link #STATE_SCHEMA}, for reading and checking them.
   */
  public static Dataset<Row> unpack(Dataset<Row> packed) {
    return packed.select("account_id", "as_of_date", "windows").map((MapFunction<Row, Row>) r -> {
      Map<String, Feature> features = new TreeMap<>(UTF8_ORDER);
      Map<String, Map<String, Device>> devices = new TreeMap<>(UTF8_ORDER);
      read((byte[]) r.get(2), 0, features, devices);
      List<Row> featureRows = new ArrayList<>();
      features.forEach((f, x) -> {
        List<Row> users = new ArrayList<>();
        sorted(x.users).forEach((u, days) -> users.add(RowFactory.create(u, days)));
        featureRows.add(RowFactory.create(f, x.e28, x.eprev, x.e90, x.q28, x.low, x.high, seq(users)));
      });
      List<Row> deviceRows = new ArrayList<>();
      devices.forEach((u, ds) -> sorted(ds).forEach((d, x) -> deviceRows.add(RowFactory.create(u, d, x.low, x.high,
          x.earlier))));
      return RowFactory.create(r.getString(0), r.getDate(1), seq(featureRows), seq(deviceRows));
    }, Encoders.row(STATE_SCHEMA));
  }

  /** One account's windows in the packed layout. */
  private static byte[] pack(Map<String, Feature> features, Map<String, Map<String, Device>> devices) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(64 + 48 * features.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(PACKED_FORMAT);
      out.writeInt(features.size());
      for (Map.Entry<String, Feature> e : features.entrySet()) {
        Feature x = e.getValue();
        text(out, e.getKey());
        out.writeLong(x.e28);
        out.writeLong(x.eprev);
        out.writeLong(x.e90);
        out.writeBoolean(x.q28 != null);
        if (x.q28 != null) {
          byte[] unscaled = x.q28.unscaledValue().toByteArray();
          out.writeInt(x.q28.scale());
          out.writeInt(unscaled.length);
          out.write(unscaled);
        }
        out.writeLong(x.low);
        out.writeLong(x.high);
        out.writeInt(x.users.size());
        for (Map.Entry<String, Long> u : x.users.entrySet()) {
          text(out, u.getKey());
          out.writeLong(u.getValue());
        }
      }
      out.writeInt(devices.size());
      for (Map.Entry<String, Map<String, Device>> user : devices.entrySet()) {
        text(out, user.getKey());
        out.writeInt(user.getValue().size());
        for (Map.Entry<String, Device> d : user.getValue().entrySet()) {
          text(out, d.getKey());
          out.writeLong(d.getValue().low);
          out.writeLong(d.getValue().high);
          out.writeLong(d.getValue().earlier);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads packed windows into the maps given, each day set moved {@code k} days back (as
   * {@link Step} moves them); features keep the days they held before in {@link Feature#lowBefore}.
   */
  private static void read(byte[] packed, int k, Map<String, Feature> features,
      Map<String, Map<String, Device>> devices) {
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(packed))) {
      byte format = in.readByte();
      if (format != PACKED_FORMAT) {
        throw new IllegalStateException("Stored usage windows have layout " + format + ", this release reads "
            + PACKED_FORMAT);
      }
      for (int i = in.readInt(); i > 0; i--) {
        String name = text(in);
        long e28 = in.readLong();
        long eprev = in.readLong();
        long e90 = in.readLong();
        BigDecimal q28 = null;
        if (in.readBoolean()) {
          int scale = in.readInt();
          byte[] unscaled = new byte[in.readInt()];
          in.readFully(unscaled);
          q28 = new BigDecimal(new java.math.BigInteger(unscaled), scale);
        }
        Feature x = oldFeature(features, name, k, e28, eprev, e90, q28, in.readLong(), in.readLong());
        for (int u = in.readInt(); u > 0; u--) {
          oldUser(x, k, text(in), in.readLong());
        }
      }
      for (int i = in.readInt(); i > 0; i--) {
        String user = text(in);
        for (int d = in.readInt(); d > 0; d--) {
          oldDevice(devices, k, user, text(in), in.readLong(), in.readLong(), in.readLong());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void text(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String text(DataInputStream in) throws IOException {
    byte[] utf8 = new byte[in.readInt()];
    in.readFully(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /** A feature of last night's windows, its day sets moved k days back. */
  private static Feature oldFeature(Map<String, Feature> features, String name, int k, long e28, long eprev,
      long e90, BigDecimal q28, long low, long high) {
    Feature x = new Feature();
    x.e28 = e28;
    x.eprev = eprev;
    x.e90 = e90;
    x.q28 = q28;
    x.lowBefore = low;
    x.low = low << k;
    x.high = shiftHigh(k, low, high);
    features.put(name, x);
    return x;
  }

  /** A user of a feature's last 28 days in last night's windows, its days moved k days back. */
  private static void oldUser(Feature x, int k, String user, long days) {
    x.users.merge(user, (days << k) & UsageWindows.RECENT_BITS, (a, b) -> a | b);
  }

  /** A user's device of last night's windows, its day sets moved k days back. */
  private static void oldDevice(Map<String, Map<String, Device>> devices, int k, String user, String device,
      long low, long high, long earlier) {
    Device x = device(devices, user, device);
    x.low = low << k;
    x.high = shiftHigh(k, low, high);
    x.earlier = earlier;
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

  private static StructType concat(StructType a, StructType b) {
    StructType out = a;
    for (var f : b.fields()) {
      out = out.add(f);
    }
    return out;
  }

  /** One account's step: last night's row and the changing roll-up rows in, tonight's row out. */
  private static final class Step implements CoGroupFunction<String, Row, Row, Row> {

    private final int k;
    private final Date asOf;
    /** The anchor: the date the old rows hold. */
    private final LocalDate from;
    /** Whether to continue the running values ({@link #HISTORY}). */
    private final boolean history;
    /** Whether last night's rows are packed ({@link #PACKED_SCHEMA}) or nested ({@link #STATE_SCHEMA}). */
    private final boolean packed;
    private final Set<String> intent;
    private final Set<String> error;
    private final Set<String> key;
    private final Map<String, BigDecimal> unitCosts;
    private final BigDecimal defaultCost;

    Step(int k, LocalDate date, IndicatorSettings settings, boolean history, boolean packed) {
      this.k = k;
      this.packed = packed;
      this.asOf = Date.valueOf(date);
      this.from = date.minusDays(k);
      this.history = history;
      this.intent = Set.copyOf(settings.intentFeatures());
      this.error = Set.copyOf(settings.errorFeatures());
      this.key = Set.copyOf(settings.keyFeatures());
      this.defaultCost = unitCost(settings.costPerUnit());
      Map<String, BigDecimal> costs = new HashMap<>();
      settings.featureCosts().forEach((f, c) -> costs.put(f, unitCost(c)));
      this.unitCosts = costs;
    }

    /** A configured cost as Spark casts a double to decimal(18, 9). */
    private static BigDecimal unitCost(double cost) {
      return new BigDecimal(Double.toString(cost)).setScale(UNIT_COST_SCALE, RoundingMode.HALF_UP);
    }

    @Override
    public Iterator<Row> call(String account, Iterator<Row> olds, Iterator<Row> changes) {
      Map<String, Feature> features = new HashMap<>();
      Map<String, Map<String, Device>> devices = new HashMap<>();
      while (olds.hasNext()) {
        Row r = olds.next();
        if (packed) {
          if (!r.isNullAt(2)) {
            read((byte[]) r.get(2), k, features, devices);
          }
          continue;
        }
        for (Row f : list(r, 2)) {
          Feature x = oldFeature(features, f.getString(0), k, f.getLong(1), f.getLong(2), f.getLong(3),
              f.getDecimal(4), f.getLong(5), f.getLong(6));
          for (Row u : list(f, 7)) {
            oldUser(x, k, u.getString(0), u.getLong(1));
          }
        }
        for (Row d : list(r, 3)) {
          oldDevice(devices, k, d.getString(0), d.getString(1), d.getLong(2), d.getLong(3), d.getLong(4));
        }
      }
      Row anchor = null;
      List<Row> entering = new ArrayList<>();
      while (changes.hasNext()) {
        Row c = changes.next();
        if (c.getInt(1) == 2) {
          anchor = c;
          continue;
        }
        int before = c.getInt(2);
        int after = before + k;
        boolean fresh = before <= 0;
        long events = c.getLong(3);
        if (c.getInt(1) == 0) {
          Feature x = features.computeIfAbsent(c.getString(4), f -> new Feature());
          x.e28 += change(events, before, after, 1, RECENT_DAYS);
          x.eprev += change(events, before, after, RECENT_DAYS + 1, PREVIOUS_DAYS);
          x.e90 += change(events, before, after, 1, LOOKBACK_DAYS);
          long moved = change(1, before, after, 1, RECENT_DAYS);
          if (moved != 0 && !c.isNullAt(5)) {
            x.q28 = x.q28.add(moved > 0 ? c.getDecimal(5) : c.getDecimal(5).negate());
          }
          if (fresh) {
            if (history && !intent.contains(c.getString(4)) && !error.contains(c.getString(4))) {
              entering.add(c);
            }
            x.low |= bit(after, true);
            x.high |= bit(after, false);
            for (Object u : c.isNullAt(6) ? List.of() : c.<Object>getList(6)) {
              if (u != null) {
                x.users.merge((String) u, bit(after, true), (a, b) -> a | b);
              }
            }
          }
        } else {
          Device x = device(devices, c.getString(7), c.getString(8));
          x.earlier += change(events, before, after, RECENT_DAYS + 1, LOOKBACK_DAYS);
          if (fresh) {
            x.low |= bit(after, true);
            x.high |= bit(after, false);
          }
        }
      }
      features.values().removeIf(x -> x.low == 0 && x.high == 0);
      devices.values().forEach(d -> d.values().removeIf(x -> x.low == 0 && x.high == 0));
      devices.values().removeIf(Map::isEmpty);
      boolean listed = history && anchor != null;
      if (features.isEmpty() && devices.isEmpty() && !listed) {
        return java.util.Collections.emptyIterator();
      }
      List<Object> running = history ? running(anchor, entering, features)
          : Arrays.asList(new Object[HISTORY.size()]);
      Date signup = listed && !anchor.isNullAt(2) ? Date.valueOf(from.minusDays(anchor.getInt(2))) : null;
      return List.of(row(account, features, devices, running, history ? listed : null, signup)).iterator();
    }

    /**
     * {@link #HISTORY} as of tonight: the anchor's values (none: zero sums, no dates) and the
     * product usage of the days that entered, as {@link UsageHistory} defines them. A feature is a
     * new onboarding feature when its day set held no day from signup to the anchor.
     */
    private List<Object> running(Row anchor, List<Row> entering, Map<String, Feature> features) {
      int at = HISTORY_AT;
      boolean known = anchor != null;
      LocalDate last = known && !anchor.isNullAt(at) ? anchor.getDate(at).toLocalDate() : null;
      LocalDate firstValue = known && !anchor.isNullAt(at + 1) ? anchor.getDate(at + 1).toLocalDate() : null;
      double earlyEvents = known && !anchor.isNullAt(at + 2) ? anchor.getDouble(at + 2) : 0.0;
      long earlyDays = known && !anchor.isNullAt(at + 3) ? anchor.getLong(at + 3) : 0L;
      long earlyFeatures = known && !anchor.isNullAt(at + 4) ? anchor.getLong(at + 4) : 0L;
      double earlyKey = known && !anchor.isNullAt(at + 5) ? anchor.getDouble(at + 5) : 0.0;
      double lifetime = known && !anchor.isNullAt(at + 6) ? anchor.getDouble(at + 6) : 0.0;
      double lifetimeKey = known && !anchor.isNullAt(at + 7) ? anchor.getDouble(at + 7) : 0.0;
      // Days from signup to the anchor: an entering day d days before the anchor is on or after
      // signup when d <= it, and in the onboarding window when also d > it - ONBOARDING_DAYS.
      Integer signup = known && !anchor.isNullAt(2) ? anchor.getInt(2) : null;
      Set<Integer> earlyDaySet = new java.util.HashSet<>();
      Set<String> firstUses = new java.util.HashSet<>();
      for (Row c : entering) {
        int before = c.getInt(2);
        String f = c.getString(4);
        long events = c.getLong(3);
        boolean isKey = key.contains(f);
        LocalDate day = from.minusDays(before);
        last = last == null || day.isAfter(last) ? day : last;
        lifetime += events;
        lifetimeKey += isKey ? events : 0L;
        if (signup == null || before > signup) {
          continue;
        }
        if ((key.isEmpty() || isKey) && (firstValue == null || day.isBefore(firstValue))) {
          firstValue = day;
        }
        if (before > signup - UsageHistory.ONBOARDING_DAYS) {
          earlyEvents += events;
          earlyKey += isKey ? events : 0L;
          earlyDaySet.add(before);
          if (!usedSinceSignup(features.get(f), signup) && firstUses.add(f)) {
            earlyFeatures++;
          }
        }
      }
      return Arrays.asList(last == null ? null : Date.valueOf(last),
          firstValue == null ? null : Date.valueOf(firstValue), earlyEvents, earlyDays + earlyDaySet.size(),
          earlyFeatures, earlyKey, lifetime, lifetimeKey);
    }

    /** Whether a feature was used on a day from signup to the anchor ({@code signup} days before it, under 64). */
    private static boolean usedSinceSignup(Feature x, int signup) {
      return x != null && signup >= 1 && (x.lowBefore & ((1L << Math.min(signup, DAYS_PER_MASK - 1)) - 1)) != 0;
    }

    /** Tonight's row ({@link #ADVANCED_SCHEMA}): the account, the date, its packed windows, their sums, the rest. */
    private Row row(String account, Map<String, Feature> features,
        Map<String, Map<String, Device>> devices, List<Object> running, Boolean listed, Date signup) {
      List<Object> featureSums = featureSums(features);
      List<Object> userSums = userSums(devices);
      List<Object> out = new ArrayList<>(List.of(account, asOf, pack(features, devices)));
      out.addAll(featureSums);
      out.addAll(userSums);
      out.addAll(running);
      out.add(listed);
      out.add(signup);
      return RowFactory.create(out.toArray());
    }

    /** The sums of the feature columns of {@link #AGGREGATES} (users without a day left are dropped). */
    private List<Object> featureSums(Map<String, Feature> features) {
      List<Row> listed = new ArrayList<>();
      long events28 = 0;
      long eventsPrev = 0;
      long events90 = 0;
      long low = 0;
      long high = 0;
      long used = 0;
      long key28 = 0;
      long key90 = 0;
      long intent28 = 0;
      long error28 = 0;
      BigDecimal cost = BigDecimal.ZERO.setScale(COST.scale());
      for (Map.Entry<String, Feature> e : features.entrySet()) {
        String f = e.getKey();
        Feature x = e.getValue();
        x.users.values().removeIf(days -> days == 0L);
        boolean isIntent = intent.contains(f);
        boolean isError = error.contains(f);
        if (isIntent) {
          intent28 += x.e28;
        }
        if (isError) {
          error28 += x.e28;
        }
        if (isIntent || isError) {
          continue;
        }
        events28 += x.e28;
        eventsPrev += x.eprev;
        events90 += x.e90;
        low |= x.low;
        high |= x.high;
        used += x.e28 > 0 ? 1 : 0;
        if (key.contains(f)) {
          key28 += x.e28;
          key90 += x.e90;
        }
        cost = cost.add(x.q28.multiply(unitCosts.getOrDefault(f, defaultCost)).setScale(COST.scale(),
            RoundingMode.HALF_UP));
        if (x.e28 + x.eprev > 0) {
          listed.add(RowFactory.create(-(x.e28 + x.eprev), f, (double) x.e28, (double) x.eprev,
              (double) x.users.size()));
        }
      }
      return List.of(events28, eventsPrev, events90, Long.bitCount(low & UsageWindows.RECENT_BITS),
          Long.bitCount(low) + Long.bitCount(high), used, key28, key90, intent28, error28, cost, seq(listed));
    }

    /**
     * The devices' rows (into the list given) and the user columns of {@link #AGGREGATES}: per user,
     * active on a device in the last 28 days, in days 29-56, their events of days 29-90 and their
     * devices of the last 28 days.
     */
    private static List<Object> userSums(Map<String, Map<String, Device>> devices) {
      long active = 0;
      long previous = 0;
      long lost28 = 0;
      long lost90 = 0;
      long lostEvents = 0;
      long earlierEvents = 0;
      long userDevices = 0;
      for (Map.Entry<String, Map<String, Device>> user : devices.entrySet()) {
        boolean now = false;
        boolean before = false;
        long earlier = 0;
        for (Map.Entry<String, Device> e : user.getValue().entrySet()) {
          Device x = e.getValue();
          boolean recent = (x.low & UsageWindows.RECENT_BITS) != 0;
          now |= recent;
          before |= (x.low & UsageWindows.PREVIOUS_BITS) != 0;
          earlier += x.earlier;
          userDevices += recent ? 1 : 0;
        }
        active += now ? 1 : 0;
        previous += before ? 1 : 0;
        lost28 += before && !now ? 1 : 0;
        lost90 += earlier > 0 && !now ? 1 : 0;
        lostEvents += now ? 0 : earlier;
        earlierEvents += earlier;
      }
      return List.of(active, previous, lost28, lost90, lostEvents, earlierEvents, userDevices);
    }

  }

  /** The high long of a 90-day set moved k days back: its own bits and the low long's top k, cut at day 90. */
  private static long shiftHigh(int k, long low, long high) {
    return k == 0 ? high : ((high << k) | (low >>> (DAYS_PER_MASK - k))) & HIGH_BITS;
  }

  /** A row's change of a window sum when it moves from {@code before} to {@code after} days back. */
  private static long change(long value, int before, int after, int from, int to) {
    boolean was = before >= from && before <= to;
    boolean is = after >= from && after <= to;
    return is && !was ? value : was && !is ? -value : 0L;
  }

  /** Bit d − 1 of the low (days 1–64) or high (days 65–90) long of a 90-day set; 0 outside. */
  private static long bit(int daysBefore, boolean low) {
    boolean in = low ? daysBefore >= 1 && daysBefore <= DAYS_PER_MASK
        : daysBefore > DAYS_PER_MASK && daysBefore <= LOOKBACK_DAYS;
    return in ? 1L << ((daysBefore - 1) % DAYS_PER_MASK) : 0L;
  }

  private static Device device(Map<String, Map<String, Device>> devices, String user, String device) {
    return devices.computeIfAbsent(user, u -> new HashMap<>()).computeIfAbsent(device, d -> new Device());
  }

  /** An array field's rows; none when it is null. */
  private static List<Row> list(Row row, int field) {
    return row.isNullAt(field) ? List.of() : row.getList(field);
  }

  /** A map's entries in Spark's order of strings, as {@link #nest} lists them. */
  private static <V> TreeMap<String, V> sorted(Map<String, V> map) {
    TreeMap<String, V> out = new TreeMap<>(UTF8_ORDER);
    out.putAll(map);
    return out;
  }

  /** Spark's order of strings: their UTF-8 bytes, unsigned. */
  private static final Comparator<String> UTF8_ORDER = AccountUsageWindows::utf8Compare;

  /**
   * Strings in the order of their UTF-8 bytes, which is the order of their code points: their
   * UTF-16 chars compared directly, except where a surrogate pair meets a char above it.
   */
  static int utf8Compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return Character.isSurrogate(x) || Character.isSurrogate(y)
            ? Integer.compare(a.codePointAt(i), b.codePointAt(i)) : Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static scala.collection.Seq<Row> seq(List<Row> rows) {
    return scala.collection.JavaConverters.asScalaBuffer(rows).toSeq();
  }

  private static final class Feature {
    /** Days used before the step (the anchor's low day set). */
    long lowBefore;
    long e28;
    long eprev;
    long e90;
    BigDecimal q28 = BigDecimal.ZERO.setScale(UsageWindows.QUANTITY.scale());
    long low;
    long high;
    final Map<String, Long> users = new HashMap<>();
  }

  private static final class Device {
    long low;
    long high;
    long earlier;
  }
}
