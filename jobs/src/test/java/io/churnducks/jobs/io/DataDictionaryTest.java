package io.churnducks.jobs.io;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataDictionaryTest {

  @Test
  void theCommittedDictionaryIsCurrent() throws Exception {
    Path doc = Path.of("..").resolve(DataDictionary.PATH);
    assertTrue(Files.isRegularFile(doc), doc + " exists");
    assertEquals(DataDictionary.markdown(), Files.readString(doc, StandardCharsets.UTF_8),
        DataDictionary.PATH + " is stale: run bin/churn docs and commit the result");
  }

  @Test
  void everyColumnIsDescribedAndTheDdlCoversEveryTable() {
    for (DataDictionary.Table t : DataDictionary.TABLES) {
      t.columns().forEach(f -> assertTrue(f.getComment().isDefined() && !f.getComment().get().isBlank(),
          t.name() + "." + f.name() + " has a description"));
      String md = DataDictionary.markdown();
      assertTrue(md.contains("CREATE TABLE " + t.name() + " ("), t.name());
      assertTrue(md.contains("CREATE VIEW " + t.name() + " AS"), t.name());
    }
  }
}
