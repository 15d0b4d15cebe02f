package io.churnducks.jobs.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the Airflow DAG tests ({@code airflow-dags/tests}, Python's standard library only: Airflow is
 * not needed) against this build's CLI contract, so {@code mvn verify} fails when a DAG renders a
 * command the job no longer accepts.
 */
class AirflowDagsTest {

  @Test
  void theDagsKeepTheCliContract() throws IOException, InterruptedException {
    StringWriter spec = new StringWriter();
    var cli = ChurnCli.commandLine();
    cli.setOut(new PrintWriter(spec));
    assertEquals(0, cli.execute("cli-spec"));
    Path specFile = Path.of("target", "cli-spec.json").toAbsolutePath();
    Files.writeString(specFile, spec.toString());

    Path dags = Path.of("..", "airflow-dags").toAbsolutePath().normalize();
    ProcessBuilder pb = new ProcessBuilder("python3", "-m", "unittest", "discover", "-v", "-s",
        dags.resolve("tests").toString()).redirectErrorStream(true);
    pb.environment().put("CHURN_CLI_SPEC", specFile.toString());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("The DAG tests need python3 on the PATH (Debian: apt-get install python3)", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "python3 finished");
    System.out.println(out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("OK"), out);
  }
}
