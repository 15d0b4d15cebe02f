package io.churnducks.jobs.cli;

import io.churnducks.jobs.io.Failures;
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
    subcommands = {GenerateCommand.class, NightlyCommand.class, StageCommands.Validate.class,
        StageCommands.Features.class, StageCommands.Train.class, StageCommands.Segments.class, StageCommands.Score.class,
        StageCommands.Lifecycle.class, StageCommands.Report.class, RetrainCommand.class, BackfillCommand.class,
        PublishCommand.class, BenchCommand.class, DemoCommand.class, SqlCommand.class, VacuumCommand.class,
        DocsCommand.class, CliSpecCommand.class})
public final class ChurnCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand ("
        + String.join(", ", spec.subcommands().keySet()) + ")");
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }

  /** The configured command line (also used by tests, without exiting the JVM). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new ChurnCli());
    // picocli prints the help and exits 0 when --help follows an unknown word; an unknown subcommand or
    // option is a usage error whatever follows it.
    cli.setExecutionStrategy(parseResult -> {
      if (!parseResult.errors().isEmpty()) {
        Exception e = parseResult.errors().get(0);
        throw e instanceof CommandLine.ParameterException p ? p
            : new CommandLine.ParameterException(parseResult.commandSpec().commandLine(), e.getMessage(), e);
      }
      if (!parseResult.unmatched().isEmpty()) {
        throw new CommandLine.UnmatchedArgumentException(parseResult.commandSpec().commandLine(),
            parseResult.unmatched());
      }
      return new CommandLine.RunLast().execute(parseResult);
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      boolean verbose = parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
      err.println("churn " + commandLine.getCommandName() + ": " + Failures.describe(e));
      if (verbose) {
        e.printStackTrace(err);
      } else if (Failures.hasStackTraceWorthShowing(e)) {
        err.println("(run again with --verbose for the stack trace)");
      }
      err.flush();
      return 1;
    });
    return cli;
  }
}
