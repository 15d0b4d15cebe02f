package io.churnducks.models.churn;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The trained churn models, in a folder beside the warehouse (any Hadoop file system): one folder
 * per model version holding its Spark ML pipeline and its card ({@code card.json}: inputs,
 * calibration, typical values, training run, backtest), and a {@code champion.json} naming the model
 * nightly runs score with. Reloading a model and rescoring gives the scores it gave when trained.
 */
public final class ModelRegistry {

  /** Record components (their fields) only: no "is" or "get" method becomes a property. */
  private static final ObjectMapper JSON = new ObjectMapper()
      .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
      .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final SparkSession spark;
  private final Path root;

  public ModelRegistry(SparkSession spark, String root) {
    this.spark = spark;
    this.root = new Path(root);
  }

  /** Saves a model under its version (replacing a folder of the same version). */
  public void save(ChurnModel model, ChurnModel.Card card) {
    Path dir = new Path(root, card.version());
    try {
      model.pipeline().write().overwrite().save(new Path(dir, "pipeline").toString());
      write(new Path(dir, "card.json"), JSON.writeValueAsString(card));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save model " + card.version() + " to " + dir, e);
    }
  }

  /** Makes {@code version} the champion (replaces champion.json in one rename). */
  public void promote(String version) {
    write(new Path(root, "champion.json"), "{\"version\": \"" + version + "\"}\n");
  }

  /** The champion's card, when there is one. */
  public Optional<ChurnModel.Card> champion() {
    return championVersion().map(this::card);
  }

  /** The champion's version, when there is one. */
  public Optional<String> championVersion() {
    Path pointer = new Path(root, "champion.json");
    try {
      FileSystem fs = pointer.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(pointer)) {
        return Optional.empty();
      }
      return Optional.of(JSON.readTree(read(fs, pointer)).get("version").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the champion model from " + pointer, e);
    }
  }

  /**
   * Puts the champion back to {@code version} (none: no champion), as a failed run that promoted
   * a model must; returns whether it changed.
   */
  public boolean restoreChampion(Optional<String> version) {
    if (championVersion().equals(version)) {
      return false;
    }
    if (version.isPresent()) {
      promote(version.get());
    } else {
      Path pointer = new Path(root, "champion.json");
      try {
        pointer.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(pointer, false);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot remove " + pointer, e);
      }
    }
    return true;
  }

  /** The card of a saved model. */
  public ChurnModel.Card card(String version) {
    Path file = new Path(new Path(root, version), "card.json");
    try {
      FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return JSON.readValue(read(fs, file), ChurnModel.Card.class);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read model " + version + " from " + file, e);
    }
  }

  /** A saved model, ready to score with {@code settings}' tiers and reasons. */
  public ChurnModel load(String version, ChurnModelSettings settings) {
    ChurnModel.Card card = card(version);
    PipelineModel pipeline = PipelineModel.load(new Path(new Path(root, version), "pipeline").toString());
    return ChurnModel.restore(spark, pipeline, card, settings);
  }

  private void write(Path file, String text) {
    try {
      FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp");
      try (FSDataOutputStream out = fs.create(tmp, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      fs.delete(file, false);
      if (!fs.rename(tmp, file)) {
        throw new IOException("rename " + tmp + " -> " + file + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  private static String read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
