package io.churnducks.jobs.rollup;

import io.churnducks.features.contract.SourceMapping;
import io.churnducks.features.testing.SparkTestBase;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.SourceReader;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every event read from a date folder is given that folder's date, wherever under it its file
 * sits: exports that write hourly subfolders ({@code 2025/06/30/13/part.csv}) lose no row.
 */
class DateFolderReadTest extends SparkTestBase {

  @TempDir
  Path tmp;

  @Test
  void filesInSubfoldersOfADateFolderBelongToThatDate() throws IOException {
    // A space in the source's path: Spark spells it %20 in file names, the listing does not.
    Path root = tmp.resolve("event exports");
    write(root.resolve("2025/06/30/part-0.csv"), "a1\na2\n");
    write(root.resolve("2025/06/30/13/part-0.csv"), "a3\n");
    write(root.resolve("2025/07/01/09/30/part-0.csv"), "a4\na5\n");
    write(root.resolve("2025/07/01/09/_SUCCESS"), "");
    SourceSettings source = new SourceSettings("usage_events", "csv", root.toString(), null, null, null, null,
        Map.of(), SourceMapping.identity("usage_events"), "{yyyy}/{MM}/{dd}");
    List<EventSourceLayout.DateFolder> folders = List.copyOf(EventSourceLayout.inspect(source,
        spark().sparkContext().hadoopConfiguration()).folders().values());
    assertEquals(2, folders.size());

    assertEquals(Map.of("a1", "2025-06-30", "a2", "2025-06-30", "a3", "2025-06-30", "a4", "2025-07-01",
        "a5", "2025-07-01"), datesOfEvents(source, folders));
    assertEquals(Map.of("a4", "2025-07-01", "a5", "2025-07-01"), datesOfEvents(source, folders.subList(1, 2)),
        "one depth of files alone");
  }

  private Map<String, String> datesOfEvents(SourceSettings source, List<EventSourceLayout.DateFolder> folders) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : UsageRollupStage.datedByFolder(spark(), SourceReader.readFolders(spark(), source,
        folders.stream().map(EventSourceLayout.DateFolder::path).toArray(String[]::new)), folders, 3)
        .select("_c0", EventValidation.FOLDER_DATE).collectAsList()) {
      out.put(r.getString(0), r.getDate(1).toString());
    }
    return out;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
