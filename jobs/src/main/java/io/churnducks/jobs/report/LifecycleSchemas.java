package io.churnducks.jobs.report;

import io.churnducks.features.lifecycle.AccountEconomics;
import io.churnducks.features.lifecycle.RetentionCurves;
import io.churnducks.features.lifecycle.UnitEconomics;
import org.apache.spark.sql.types.StructType;

/**
 * The lifecycle tables the morning report reads, by name, with the schemas their producers
 * (features/.../lifecycle) declare; all partitioned by {@code run_date}.
 */
public final class LifecycleSchemas {

  private LifecycleSchemas() {}

  public static final String RETENTION_CURVES = "retention_curves";
  public static final String UNIT_ECONOMICS = "unit_economics";
  public static final String ACCOUNT_ECONOMICS = "account_economics";

  /** {@code retention_curves}: one row per dimension × group × month since signup. */
  public static final StructType RETENTION = RetentionCurves.SCHEMA;
  /** {@code unit_economics}: one row per dimension × group. */
  public static final StructType UNIT = UnitEconomics.SCHEMA;
  /** {@code account_economics}: one row per active customer. */
  public static final StructType ACCOUNT = AccountEconomics.SCHEMA;
}
