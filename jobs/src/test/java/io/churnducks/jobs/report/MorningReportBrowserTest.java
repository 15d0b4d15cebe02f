package io.churnducks.jobs.report;

import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.io.Warehouse;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Opens the morning report of {@link ReportStory} in headless Chromium (Debian's {@code chromium},
 * installed by {@code bin/test}) with every host unresolvable, so the page must work offline; checks
 * in the rendered DOM that every chart drew an SVG with as many points as the story's data holds and
 * that moving the pointer over a quadrant of the map shows that quadrant's customers; and keeps a screenshot as a build artefact ({@code target/report/morning-report.png}).
 * Without Chromium the test fails under CI ({@code CI=true}) and is skipped, saying why, elsewhere.
 */
class MorningReportBrowserTest extends SparkTestBase {

  /** Debian's Chromium; {@code -Dchurn.chromium=PATH} points elsewhere (e.g. to check the message when it is missing). */
  static final Path CHROMIUM = Path.of(System.getProperty("churn.chromium", "/usr/bin/chromium"));
  static final Path ARTEFACTS = Path.of("target", "report");

  /** Points each chart draws from the story (settings: every cohort; the defaults otherwise). */
  static Map<String, Integer> expectedPoints() {
    Map<String, Integer> points = new LinkedHashMap<>();
    points.put("map", 3); // three live segments; the vanished one has no bubble
    points.put("retention-cohort", ReportStory.COHORT_MONTHS.values().stream().mapToInt(Integer::intValue).sum()
        + ReportStory.ALL_MONTHS); // observed months only, plus the all-accounts line
    points.put("retention-segment", 3 * ReportStory.SEGMENT_MONTHS + ReportStory.ALL_MONTHS);
    points.put("ltv-cac-channel", 3);
    points.put("ltv-cac-segment", 3);
    points.put("lift", 10);
    points.put("calibration", 5); // the calibrated backtest's bins
    points.put("relevance", 4); // indicators with an information value
    return points;
  }

  /** Moves the pointer over the map at health 10, temperature 10 and notes which quadrant's list is shown. */
  private static final String HOVER_LOW_LOW = """
      setTimeout(function () {
        var el = document.getElementById('chart-map');
        var p = echarts.getInstanceByDom(el).convertToPixel('grid', [10, 10]);
        var r = el.getBoundingClientRect();
        var init = {clientX: r.left + p[0], clientY: r.top + p[1], bubbles: true, pointerType: 'mouse', isPrimary: true};
        el.firstElementChild.dispatchEvent(new PointerEvent('pointermove', init));
        el.firstElementChild.dispatchEvent(new MouseEvent('mousemove', init));
        var shown = document.querySelector('.quadrant-list.active');
        document.body.setAttribute('data-hovered', shown ? shown.getAttribute('data-quadrant') : 'none');
      }, 200);
      """;

  @Test
  void everyChartRendersInHeadlessChromiumAndTheScreenshotIsKept(@TempDir Path tmp) throws Exception {
    Path chromium = chromium();
    Warehouse w = new Warehouse(spark(), tmp.resolve("warehouse").toString());
    ReportStory.write(spark(), w);
    MorningReport.Result r = new MorningReport(spark(), w, ReportSettings.defaults()).write(ReportStory.RUN);
    Path report = Path.of(r.path());
    Files.createDirectories(ARTEFACTS);
    Files.copy(report, ARTEFACTS.resolve("morning-report.html"), StandardCopyOption.REPLACE_EXISTING);

    String dom = browse(chromium, tmp, report, "--dump-dom");
    Files.writeString(ARTEFACTS.resolve("morning-report.dom.html"), dom);
    assertTrue(dom.contains("data-charts-drawn=\"" + MorningReport.CHARTS.size() + "\""),
        "every chart drawn: " + attribute(openingTag(dom, "<body"), "data-charts-drawn") + ", failed: "
            + attribute(openingTag(dom, "<body"), "data-charts-failed"));
    Map<String, Integer> expected = expectedPoints();
    assertEquals(MorningReport.CHARTS, new ArrayList<>(expected.keySet()));
    for (Map.Entry<String, Integer> e : expected.entrySet()) {
      String tag = openingTag(dom, "id=\"chart-" + e.getKey() + "\"");
      assertEquals(null, attribute(tag, "data-error"), e.getKey());
      assertEquals("true", attribute(tag, "data-rendered"), e.getKey() + ": " + tag);
      assertEquals(String.valueOf(e.getValue()), attribute(tag, "data-points"), e.getKey() + " points");
      int svgNodes = Integer.parseInt(attribute(tag, "data-svg-nodes"));
      assertTrue(svgNodes > 10, e.getKey() + " drew an SVG with " + svgNodes + " elements");
      String inside = dom.substring(dom.indexOf(tag) + tag.length());
      assertTrue(inside.substring(0, Math.min(inside.length(), 400)).contains("<svg"), e.getKey() + " holds an svg");
    }
    // The quadrant panel: one list is shown (the first quadrant with customers) until another is hovered.
    assertEquals(1, count(dom, "class=\"quadrant-list active\""), "one quadrant's customers shown");
    assertEquals("Red Carpet", attribute(openingTag(dom, "class=\"quadrant-list active\""), "data-quadrant"));
    Path probe = tmp.resolve("hover.html");
    String page = Files.readString(report);
    int end = page.lastIndexOf("</body>");
    Files.writeString(probe, page.substring(0, end) + "<script>" + HOVER_LOW_LOW + "</script>" + page.substring(end));
    String hovered = browse(chromium, tmp, probe, "--dump-dom");
    assertEquals("Sleeping", attribute(openingTag(hovered, "<body"), "data-hovered"),
        "the pointer at health 10, temperature 10 shows the Sleeping quadrant's customers");
    assertTrue(dom.contains("&lt;script&gt;alert('duck')&lt;/script&gt; &amp; Sons"), "the markup name stays text");

    Path png = ARTEFACTS.resolve("morning-report.png");
    Files.deleteIfExists(png);
    browse(chromium, tmp, report, "--screenshot=" + png.toAbsolutePath(), "--window-size=1400,3000",
        "--hide-scrollbars");
    assertTrue(Files.isRegularFile(png), "screenshot written to " + png.toAbsolutePath());
    byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head, "a PNG");
    assertTrue(Files.size(png) > 50_000, "the screenshot shows a drawn page (" + Files.size(png) + " bytes)");
    System.out.println("Morning report screenshot: " + png.toAbsolutePath());
  }

  /** Debian's Chromium, or a failure in CI and a skip elsewhere, each saying how to get it. */
  static Path chromium() {
    if (Files.isExecutable(CHROMIUM)) {
      return CHROMIUM;
    }
    String message = "The morning report's browser test needs Debian's chromium at " + CHROMIUM
        + " (bin/test installs it; by hand: apt-get install -y chromium)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message);
    }
    System.out.println("SKIPPED: " + message);
    Assumptions.assumeTrue(false, message);
    return CHROMIUM;
  }

  /** Runs headless Chromium on the file with a fresh profile and no network; returns its standard output. */
  private static String browse(Path chromium, Path tmp, Path page, String... extra)
      throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(tmp, "chromium-profile");
    List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=10000"));
    command.addAll(List.of(extra));
    command.add(page.toUri().toString());
    Path log = Files.createTempFile(tmp, "chromium", ".log");
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("chromium did not finish in 3 minutes: " + String.join(" ", command));
    }
    assertEquals(0, p.exitValue(), "chromium " + String.join(" ", extra) + " failed:\n" + Files.readString(log));
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String openingTag(String dom, String marker) {
    int at = dom.indexOf(marker);
    assertTrue(at >= 0, marker + " is in the DOM");
    int start = dom.lastIndexOf('<', at);
    return dom.substring(start, dom.indexOf('>', at) + 1);
  }

  private static String attribute(String tag, String name) {
    Matcher m = Pattern.compile("\\s" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(tag);
    return m.find() ? m.group(1) : null;
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
