package io.churnducks.jobs.cli;

import io.churnducks.features.indicators.IndicatorCatalogue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code churn docs}: writes the documents generated from the code's declarations. */
@Command(name = "docs", mixinStandardHelpOptions = true,
    description = "Write the generated documents (the indicator catalogue, " + IndicatorCatalogue.PATH
        + ") under the repository root.")
final class DocsCommand implements Callable<Integer> {

  @Option(names = "--root", paramLabel = "DIR", defaultValue = "${sys:churn.home:-.}",
      description = "Repository root to write under (default: the churn installation, ${DEFAULT-VALUE}).")
  String root;

  @Override
  public Integer call() {
    Path out = Path.of(root).resolve(IndicatorCatalogue.PATH);
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, IndicatorCatalogue.markdown(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + out, e);
    }
    System.out.println("Written " + out);
    return 0;
  }
}
