package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ConfigValueQuoting;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.File;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code churn cli-spec}: the command-line contract as JSON (every subcommand, its options, their
 * types and whether they are required), so schedulers can check the commands they render.
 */
@Command(name = "cli-spec", mixinStandardHelpOptions = true,
    description = "Print the command-line contract as JSON: subcommands, options, value types, required and "
        + "repeatable flags. The Airflow DAG tests check every rendered command against it.")
final class CliSpecCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(json(spec.parent()));
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** The contract of {@code root}'s subcommands. */
  static String json(CommandSpec root) {
    List<String> commands = new ArrayList<>();
    for (Map.Entry<String, CommandLine> e : root.subcommands().entrySet()) {
      CommandSpec sub = e.getValue().getCommandSpec();
      List<String> options = new ArrayList<>();
      for (OptionSpec o : sub.options()) {
        if (o.usageHelp() || o.versionHelp()) {
          continue;
        }
        options.add("{\"names\": " + strings(List.of(o.names())) + ", \"type\": " + quote(type(o))
            + ", \"required\": " + o.required() + ", \"repeatable\": " + o.isMultiValue()
            + (o.type().isEnum() ? ", \"values\": " + strings(candidates(o)) : "") + "}");
      }
      List<String> parameters = sub.positionalParameters().stream().map(p -> "{\"label\": " + quote(p.paramLabel())
          + ", \"required\": " + p.required() + "}").toList();
      String description = sub.usageMessage().description().length == 0 ? "" : sub.usageMessage().description()[0];
      commands.add("    {\"name\": " + quote(e.getKey()) + ", \"description\": " + quote(description)
          + ", \"parameters\": [" + String.join(", ", parameters) + "]"
          + ", \"options\": [\n      " + String.join(",\n      ", options) + "]}");
    }
    return "{\"program\": " + quote(root.name()) + ", \"version\": " + quote(root.version().length == 0 ? ""
        : root.version()[0]) + ",\n  \"subcommands\": [\n" + String.join(",\n", commands) + "]}";
  }

  private static List<String> candidates(OptionSpec o) {
    List<String> out = new ArrayList<>();
    o.completionCandidates().forEach(out::add);
    return out;
  }

  private static String type(OptionSpec o) {
    Class<?> t = o.isMultiValue() && o.auxiliaryTypes().length > 0 ? o.auxiliaryTypes()[0] : o.type();
    if (t == boolean.class || t == Boolean.class) {
      return "flag";
    }
    if (t == LocalDate.class) {
      return "date";
    }
    if (t == File.class) {
      return "path";
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "integer";
    }
    if (t == double.class || t == Double.class) {
      return "number";
    }
    if (t.isEnum()) {
      return "choice";
    }
    return "string";
  }

  private static String strings(List<String> values) {
    return "[" + String.join(", ", values.stream().map(CliSpecCommand::quote).toList()) + "]";
  }

  private static String quote(String s) {
    return ConfigValueQuoting.quote(s);
  }
}
