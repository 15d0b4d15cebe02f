package io.churnducks.features.contract;

/**
 * Two columns of one row that must be in order: when both hold a value, {@code later} must not be
 * before {@code earlier} (equal is fine). A row that contradicts itself is rejected
 * ({@code order_violation}), naming both columns and values.
 *
 * @param earlier canonical column that comes first (e.g. {@code start_date})
 * @param later   canonical column that must not come before it (e.g. {@code end_date})
 */
public record OrderRule(String earlier, String later) {}
