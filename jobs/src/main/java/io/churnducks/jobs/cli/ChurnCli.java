package io.churnducks.jobs.cli;

import io.churnducks.features.validation.ContractException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code churn}: the one command line over the product's jobs. Every subcommand has
 * {@code --help}, takes {@code --config FILE} and {@code --set key=value}; those working on a
 * date take {@code --run-date YYYY-MM-DD}. Exit code 0 on success, 1 with one clear line on a
 * failure, 2 on a usage error.
 */
@Command(name = "churn", mixinStandardHelpOptions = true, version = "churnducks 0.1.0",
    description = "Nightly churn scores, named customer segments and a CS risk list for a subscription business.",
    subcommands = {GenerateCommand.class, NightlyCommand.class, RetrainCommand.class, BackfillCommand.class, BenchCommand.class, DemoCommand.class,
        DocsCommand.class})
public final class ChurnCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand (generate, nightly, backfill, bench, demo, docs)");
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** The configured command line (also used by tests, without exiting the JVM). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ChurnCli());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      boolean verbose = parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
      err.println("churn " + commandLine.getCommandName() + ": " + message(e));
      if (verbose) {
        e.printStackTrace(err);
      } else if (!(e instanceof ContractException || e instanceof IllegalArgumentException)) {
        err.println("(run again with --verbose for the stack trace)");
      }
      err.flush();
      return 1;
    });
    return cli;
  }

  /** The user-facing line: our own messages as they are, anything else with its type. */
  static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof ContractException) && !(t instanceof IllegalArgumentException)) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst().orElse("");
    return t instanceof ContractException || t instanceof IllegalArgumentException ? m
        : t.getClass().getSimpleName() + ": " + m;
  }
}
