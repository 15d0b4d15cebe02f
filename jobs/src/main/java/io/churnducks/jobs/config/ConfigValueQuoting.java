package io.churnducks.jobs.config;

/** Quotes a string as a HOCON/JSON string literal. */
final class ConfigValueQuoting {

  private ConfigValueQuoting() {}

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(ch);
      }
    }
    return b.append('"').toString();
  }
}
