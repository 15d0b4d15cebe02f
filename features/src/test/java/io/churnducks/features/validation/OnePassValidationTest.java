package io.churnducks.features.validation;

import io.churnducks.features.contract.InputContract;
import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static io.churnducks.features.testing.RawSources.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A large source validated in one pass (row-level rejects marked and carried through the
 * cross-row checks) gives exactly the clean rows and the quarantine of the two-pass validation.
 */
class OnePassValidationTest extends SparkTestBase {

  private static final LocalDate EXTRACT = LocalDate.parse("2024-03-31");

  @Test
  void onePassGivesTheCleanRowsAndQuarantineOfTwoPasses() {
    Dataset<Row> raw = frame(text("event_id", "event_time", "feature", "account_id", "quantity"),
        new Object[] {"e1", "2024-03-01T10:00:00Z", "report", "a1", "1"},
        new Object[] {"e1", "2024-03-01T11:00:00Z", "report", "a1", "2"},      // duplicate: e1 kept at 11:00
        new Object[] {"e2", "not a time", "report", "a1", "1"},                // rejected: unparseable time
        new Object[] {"e3", "2024-03-02T10:00:00Z", "export", "a1", "many"},    // quantity nulled, row kept
        new Object[] {"e4", "2024-03-02T10:00:00Z", "export", "ghost", "1"},    // unknown account
        new Object[] {"e5", "2024-03-02T10:00:00Z", "export", "gone", "1"},     // rejected account
        new Object[] {"e2", "2024-03-03T10:00:00Z", "report", "a1", "1"},       // not a duplicate of the rejected e2
        new Object[] {null, "2024-03-03T10:00:00Z", "report", "a1", "1"},       // no key: never a duplicate
        new Object[] {"e6", "2024-05-01T10:00:00Z", "report", "a1", "1"});      // after the extract date
    ConformedSource source = SourceConformer.conform(raw, InputContract.USAGE_EVENTS,
        SourceMapping.identity("usage_events"), "test:usage_events", EXTRACT.plusDays(1), EXTRACT);
    Dataset<Row> accounts = frame(text("account_id"), new Object[] {"a1"});
    Dataset<Row> rejected = frame(text("account_id", "reason"), new Object[] {"gone", "bad signup_date"});

    ValidatedTable twoPass = ContractValidator.validateDependent(source, accounts, rejected, null);
    ValidatedTable onePass = ContractValidator.validateDependentInOnePass(source, accounts, rejected, null);

    assertFramesEqual(twoPass.clean(), onePass.clean());
    assertFramesEqual(twoPass.quarantine(), onePass.crossRowQuarantine());
    assertEquals(6, onePass.crossRowQuarantine().count(), "two rejects, a duplicate, two account rejects, a nulled value");
    assertEquals(4, onePass.clean().count());
  }
}
