package io.churnducks.jobs.cli;

import io.churnducks.jobs.config.ChurnConfig;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** Options every subcommand takes: the config file and its overrides. */
public final class CommonOptions {

  @Option(names = "--config", paramLabel = "FILE", defaultValue = "${churn.home:-.}/conf/demo.conf",
      description = "HOCON config file (default: the demo config, ${DEFAULT-VALUE}).")
  File config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override one config key, e.g. --set model.high-tier=0.4 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--verbose", description = "Show stack traces of failures.")
  boolean verbose;

  ChurnConfig load() {
    return ChurnConfig.load(config, overrides);
  }
}
