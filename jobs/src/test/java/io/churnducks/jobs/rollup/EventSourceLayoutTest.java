package io.churnducks.jobs.rollup;

import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.SourceSettings;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Date folders are found by the hive-style default or a configured layout, with fingerprints that follow their files. */
class EventSourceLayoutTest {

  @TempDir
  Path dir;

  @Test
  void hiveStyleDateFoldersAreDetected() throws IOException {
    write("event_date=2025-06-29/part-0.csv", "a");
    write("event_date=2025-06-30/part-0.csv", "ab");
    write("event_date=2025-06-30/_SUCCESS", "");
    write("not_a_date/part-0.csv", "x");

    EventSourceLayout layout = EventSourceLayout.inspect(source(null), new Configuration());

    assertTrue(layout.byDate());
    assertEquals(List.of(LocalDate.parse("2025-06-29"), LocalDate.parse("2025-06-30")),
        List.copyOf(layout.folders().keySet()));
    assertEquals("1f/2b", layout.folders().get(LocalDate.parse("2025-06-30")).fingerprint().substring(0, 5));
  }

  @Test
  void aConfiguredLayoutReadsNestedFolders() throws IOException {
    write("2025/06/30/events.json", "{}");
    write("2025/07/01/events.json", "{}");

    EventSourceLayout layout = EventSourceLayout.inspect(source("{yyyy}/{MM}/{dd}"), new Configuration());

    assertEquals(List.of(LocalDate.parse("2025-06-30"), LocalDate.parse("2025-07-01")),
        List.copyOf(layout.folders().keySet()));
    assertEquals(1, layout.between(LocalDate.parse("2025-06-01"), LocalDate.parse("2025-07-01")).size());
  }

  @Test
  void aFolderWithoutDateFoldersIsOneSlice() throws IOException {
    write("part-0.csv", "a");
    assertFalse(EventSourceLayout.inspect(source(null), new Configuration()).byDate());
  }

  @Test
  void aChangedFolderHasANewFingerprint() throws IOException {
    write("event_date=2025-06-30/part-0.csv", "a");
    String before = EventSourceLayout.inspect(source(null), new Configuration()).folders().values().iterator().next()
        .fingerprint();
    write("event_date=2025-06-30/part-1.csv", "late event");
    String after = EventSourceLayout.inspect(source(null), new Configuration()).folders().values().iterator().next()
        .fingerprint();
    assertNotEquals(before, after);
  }

  @Test
  void aLayoutWithoutADatePartIsRejectedWithAHint() {
    ContractException e = assertThrows(ContractException.class,
        () -> EventSourceLayout.formatter("events/daily", "usage_events"));
    assertTrue(e.getMessage().startsWith("Cannot use sources.usage_events.layout 'events/daily'"), e.getMessage());
  }

  private void write(String relative, String text) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private SourceSettings source(String layout) {
    return new SourceSettings("usage_events", "csv", dir.toString(), null, null, null, null, Map.of(),
        SourceMapping.identity("usage_events"), layout);
  }
}
