package io.churnducks.jobs.io;

import io.churnducks.features.validation.ContractException;
import org.junit.jupiter.api.Test;

import java.io.EOFException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A failure becomes one line: our own words as they are, anything else by its cause and the file being read. */
class FailuresTest {

  @Test
  void aTaskFailureIsItsCauseAndTheFileSparkWasReading() {
    RuntimeException spark = new RuntimeException("Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 "
        + "times, most recent failure: Lost task 0.0 in stage 3.0 (TID 3): org.apache.spark.SparkException: "
        + "Encountered error while reading file file:///data/my%20exports/a.csv.gz. Details:\n\tat x.y(z.java:1)",
        new RuntimeException("Encountered error while reading file file:///data/my%20exports/a.csv.gz. Details:",
            new EOFException("Unexpected end of input stream")));
    assertEquals("EOFException: Unexpected end of input stream (while reading file:///data/my%20exports/a.csv.gz)",
        Failures.describe(spark));
  }

  @Test
  void aFailedJobWithoutItsCauseKeepsWhatFailedNotWhereItRan() {
    RuntimeException spark = new RuntimeException("Job aborted due to stage failure: Task 0 in stage 100.0 failed 1 "
        + "times, most recent failure: Lost task 0.0 in stage 100.0 (TID 96) (192.0.2.2 executor driver): "
        + "com.univocity.parsers.common.TextParsingException: java.lang.IllegalStateException - Error reading from "
        + "input\nParser Configuration: CsvParserSettings:");
    assertEquals("TextParsingException: java.lang.IllegalStateException - Error reading from input",
        Failures.describe(spark));
  }

  @Test
  void ourOwnWordsAreKeptAsTheyAre() {
    ContractException own = new ContractException("Cannot read source accounts (csv /x): it holds no data",
        new IllegalStateException("below"));
    assertEquals("Cannot read source accounts (csv /x): it holds no data", Failures.describe(
        new RuntimeException("wrapper", own)));
    assertEquals("NullPointerException", Failures.describe(new NullPointerException()));
  }
}
