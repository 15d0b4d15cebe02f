package io.churnducks.jobs.io;

import io.churnducks.features.validation.ContractException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One line for a person from a failure: what went wrong, without a stack trace. */
public final class Failures {

  /** Spark's wording when a task fails on a file: "... while reading file {path}. Details: ...". */
  private static final Pattern READING = Pattern.compile("while reading file (\\S+?)\\.?(?:\\s|$)");

  /** Spark's "Job aborted due to stage failure: ... most recent failure: Lost task 0.0 in stage 3.0 (...): cause". */
  private static final Pattern TASK_FAILURE = Pattern.compile("most recent failure: Lost task .*?\\): (.+)");
  private static final Pattern QUALIFIED = Pattern.compile("(?:[a-z_$][\\w$]*\\.)+([A-Z][\\w$]*)(:.*)?");

  private Failures() {}

  /**
   * Our own messages (contract errors, bad arguments) as they are; anything else as its innermost
   * cause's type and first line, plus the file Spark was reading when it failed, if it says.
   */
  public static String describe(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && !ours(t)) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
    if (ours(t)) {
      return m;
    }
    // A failed Spark job says which task failed and where before what failed: keep what failed.
    Matcher task = TASK_FAILURE.matcher(m);
    String line = task.find() ? simpleClassName(task.group(1))
        : t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    String file = fileBeingRead(e);
    return line + (file == null || line.contains(file) ? "" : " (while reading " + file + ")");
  }

  /** {@code TextParsingException: x} of {@code com.univocity.parsers.common.TextParsingException: x}. */
  private static String simpleClassName(String text) {
    Matcher q = QUALIFIED.matcher(text);
    return q.matches() ? q.group(1) + (q.group(2) == null ? "" : q.group(2)) : text;
  }

  /**
   * Whether a failure's stack trace is worth offering: it is not our own words alone (a contract
   * error or bad argument with nothing underneath).
   */
  public static boolean hasStackTraceWorthShowing(Throwable e) {
    return !ours(e) || e.getCause() != null;
  }

  private static boolean ours(Throwable t) {
    return t instanceof ContractException || t instanceof IllegalArgumentException;
  }

  private static String fileBeingRead(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Matcher m = t.getMessage() == null ? null : READING.matcher(t.getMessage());
      if (m != null && m.find()) {
        return m.group(1);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
