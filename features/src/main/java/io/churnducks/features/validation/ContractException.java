package io.churnducks.features.validation;

/**
 * A problem with the input that stops the run. Its message is written for the person running
 * the job ("Cannot &lt;do X&gt;: &lt;reason&gt; (&lt;hint&gt;)") and is shown without a stack trace.
 */
public class ContractException extends RuntimeException {
  public ContractException(String message) {
    super(message);
  }

  /** A contract error found through a lower-level failure, kept as the cause (shown with --verbose). */
  public ContractException(String message, Throwable cause) {
    super(message, cause);
  }
}
