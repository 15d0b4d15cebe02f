package io.churnducks.jobs.cli;

import io.churnducks.features.indicators.IndicatorCatalogue;
import io.churnducks.jobs.io.DataDictionary;
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
        + ", and the data dictionary, " + DataDictionary.PATH + ") under the repository root.")
final class DocsCommand implements Callable<Integer> {

  @Option(names = "--root", paramLabel = "DIR", defaultValue = "${sys:churn.home:-.}",
      description = "Repository root to write under (default: the churn installation, ${DEFAULT-VALUE}).")
  String root;

  @Override
  public Integer call() {
    write(IndicatorCatalogue.PATH, IndicatorCatalogue.markdown());
    write(DataDictionary.PATH, DataDictionary.markdown());
    return 0;
  }

  private void write(String path, String text) {
    Path out = Path.of(root).resolve(path);
    try {
      Files.createDirectories(out.getParent());
      Files.writeString(out, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + out, e);
    }
    System.out.println("Written " + out);
  }
}
