package io.churnducks.jobs.rollup;

import io.churnducks.features.validation.ContractException;
import io.churnducks.jobs.config.SourceSettings;
import io.churnducks.jobs.io.SourceReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a usage-event source is laid out on storage. A source laid out by date
 * ({@code <path>/event_date=2025-06-30/part-*.parquet}, or any layout given as
 * {@code sources.usage_events.layout}, e.g. {@code "{yyyy}/{MM}/{dd}"} or {@code "dt={yyyyMMdd}"}:
 * text outside braces is literal, inside braces a date pattern) is read one folder per event
 * date, so a night reads only the folders it needs. A folder's date is the date of every event
 * in it. Any other source (one file, a flat folder, JDBC) is a single slice that is read whole
 * and cut by the events' own dates.
 *
 * <p>Each date folder has a fingerprint (number of files, total bytes, latest modification
 * time): a folder whose fingerprint changed since it was rolled up is rolled up again.
 */
public final class EventSourceLayout {

  /** The hive-style default: one folder per date named {@code <column>=yyyy-MM-dd}. */
  private static final Pattern HIVE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\d{4}-\\d{2}-\\d{2})");

  /**
   * One date folder: its path, its path under the source's, its fingerprint, and how deep under it
   * its data files sit (0: in the folder itself; 1: in subfolders such as hourly ones; ...).
   */
  public record DateFolder(LocalDate date, String path, String relative, String fingerprint,
      java.util.Set<Integer> fileDepths) {}

  private final String layout;
  private final TreeMap<LocalDate, DateFolder> folders;

  private EventSourceLayout(String layout, TreeMap<LocalDate, DateFolder> folders) {
    this.layout = layout;
    this.folders = folders;
  }

  /** True when the source is laid out by date. */
  public boolean byDate() {
    return layout != null;
  }

  /** The layout in braces notation, when laid out by date. */
  public Optional<String> layout() {
    return Optional.ofNullable(layout);
  }

  /** Date folders by date (empty for a single-slice source). */
  public Map<LocalDate, DateFolder> folders() {
    return folders;
  }

  /**
   * Inspects the source: the configured layout, else hive-style {@code name=yyyy-MM-dd} folders
   * when the source's path holds them, else a single slice. Lists folder names and file sizes only.
   */
  public static EventSourceLayout inspect(SourceSettings source, Configuration hadoop) {
    if ("jdbc".equals(source.format()) || source.path() == null) {
      return new EventSourceLayout(null, new TreeMap<>());
    }
    try {
      Path root = new Path(source.path());
      FileSystem fs = root.getFileSystem(hadoop);
      if (!fs.exists(root)) {
        throw new ContractException("Cannot read source " + source.table() + ": " + source.path()
            + " does not exist (check sources." + source.table() + ".path)");
      }
      String configured = source.layout();
      if (configured == null || configured.isBlank()) {
        if (!fs.getFileStatus(root).isDirectory()) {
          return new EventSourceLayout(null, new TreeMap<>());
        }
        String column = null;
        for (FileStatus child : fs.listStatus(root)) {
          Matcher m = HIVE.matcher(child.getPath().getName());
          if (child.isDirectory() && m.matches()) {
            column = m.group(1);
            break;
          }
        }
        if (column == null) {
          return new EventSourceLayout(null, new TreeMap<>());
        }
        configured = column + "={yyyy-MM-dd}";
      }
      return new EventSourceLayout(configured, list(fs, root, configured, source.table()));
    } catch (IOException e) {
      throw new ContractException("Cannot list source " + source.table() + " (" + source.path() + "): "
          + e.getMessage());
    }
  }

  private static TreeMap<LocalDate, DateFolder> list(FileSystem fs, Path root, String layout, String table)
      throws IOException {
    DateTimeFormatter parser = formatter(layout, table);
    String glob = layout.replaceAll("\\{[^}]*}", "*");
    FileStatus[] matches = fs.globStatus(new Path(root, glob));
    TreeMap<LocalDate, DateFolder> out = new TreeMap<>();
    if (matches == null) {
      return out;
    }
    String rootPrefix = fs.makeQualified(root).toString();
    for (FileStatus dir : matches) {
      if (!dir.isDirectory()) {
        continue;
      }
      String qualified = fs.makeQualified(dir.getPath()).toString();
      String relative = qualified.substring(Math.min(qualified.length(), rootPrefix.length() + 1));
      LocalDate date;
      try {
        date = LocalDate.parse(relative, parser);
      } catch (DateTimeParseException e) {
        continue;
      }
      long files = 0;
      long bytes = 0;
      long modified = 0;
      java.util.Set<Integer> depths = new java.util.TreeSet<>();
      int dirDepth = dir.getPath().depth();
      var it = fs.listFiles(dir.getPath(), true);
      while (it.hasNext()) {
        var f = it.next();
        if (!SourceReader.isDataFile(f.getPath())) {
          continue;
        }
        files++;
        bytes += f.getLen();
        modified = Math.max(modified, f.getModificationTime());
        depths.add(f.getPath().depth() - dirDepth - 1);
      }
      DateFolder previous = out.put(date, new DateFolder(date, qualified, relative, files + "f/" + bytes + "b/" + modified,
          depths));
      if (previous != null) {
        throw new ContractException("Cannot read source " + table + ": folders " + previous.path() + " and "
            + qualified + " are both for " + date + " under layout '" + layout + "'");
      }
    }
    return out;
  }

  /** {@code event_date={yyyy-MM-dd}} → the formatter {@code 'event_date='yyyy-MM-dd}. */
  static DateTimeFormatter formatter(String layout, String table) {
    StringBuilder p = new StringBuilder();
    Matcher m = Pattern.compile("\\{([^}]*)}|([^{]+)").matcher(layout);
    boolean hasDate = false;
    while (m.find()) {
      if (m.group(1) != null) {
        p.append(m.group(1));
        hasDate = true;
      } else {
        p.append('\'').append(m.group(2).replace("'", "''")).append('\'');
      }
    }
    try {
      if (!hasDate) {
        throw new IllegalArgumentException("no {date pattern} in it");
      }
      return DateTimeFormatter.ofPattern(p.toString());
    } catch (IllegalArgumentException e) {
      throw new ContractException("Cannot use sources." + table + ".layout '" + layout + "': " + e.getMessage()
          + " (write the date part in braces, e.g. event_date={yyyy-MM-dd} or {yyyy}/{MM}/{dd})");
    }
  }

  /** Date folders in [from, until), oldest first. */
  public List<DateFolder> between(LocalDate from, LocalDate until) {
    return new ArrayList<>(folders.subMap(from, true, until, false).values());
  }
}
