package io.churnducks.jobs.nightly;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.util.function.Consumer;

/** For tests that read what the product logs: every log event the shipped configuration lets through. */
final class LogCapture {

  private LogCapture() {}

  /** Hands each event that reaches any logger (and the root) to {@code sink}, from now on. */
  static void everyEvent(String name, Consumer<LogEvent> sink) {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    AbstractAppender capture = new AbstractAppender(name, null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        sink.accept(event);
      }
    };
    capture.start();
    context.getConfiguration().getLoggers().values().forEach(l -> l.addAppender(capture, null, null));
    context.getConfiguration().getRootLogger().addAppender(capture, null, null);
    context.updateLoggers();
  }
}
