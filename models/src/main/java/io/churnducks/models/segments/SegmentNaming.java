package io.churnducks.models.segments;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * "If it quacks like a duck, call it a duck": names segments after what distinguishes them.
 *
 * <ol>
 *   <li>A segment that kept its id from the previous run ({@link SegmentLineage}) keeps its name
 *       while the evidence the name was given for still holds.</li>
 *   <li>Otherwise the rulebook ({@code segments.names}): a rule fits a segment when the segment
 *       stands out on every indicator of the rule, in the rule's direction, by at least the minimum
 *       distinction (in standard deviations). Each rule names one segment and each segment takes
 *       one rule; the best-supported pairs (by their weakest condition) go first.</li>
 *   <li>Otherwise a name generated from the segment's two most distinctive indicators that say
 *       different things, in the words of {@link DuckVocabulary} ("Support Heavy &amp;
 *       Detractors"), or "Middle of the Pond" when nothing stands out.</li>
 *   <li>Manual overrides by segment id win over all of these.</li>
 * </ol>
 * No name describes a segment that is not distinctive on it: every name carries its evidence.
 */
public final class SegmentNaming {

  private SegmentNaming() {}

  /** Name of a segment on which no indicator stands out. */
  public static final String TYPICAL = "Middle of the Pond";

  /** One condition of a rule: an indicator, high or low. */
  public record Condition(String indicator, boolean high) {
    /** Parses {@code "devices_per_user_28d high"}. */
    public static Condition parse(String text) {
      String[] parts = text.trim().split("\\s+");
      if (parts.length != 2 || !(parts[1].equals("high") || parts[1].equals("low"))) {
        throw new IllegalArgumentException("Cannot read naming condition '" + text
            + "': expected '<indicator> high' or '<indicator> low'");
      }
      return new Condition(parts[0], parts[1].equals("high"));
    }
  }

  /** A rule of the rulebook: a name, the conditions that earn it, and the play for the segment. */
  public record Rule(String name, List<Condition> when, String play) {
    public Rule {
      when = List.copyOf(when);
      if (when.isEmpty()) {
        throw new IllegalArgumentException("Cannot use naming rule '" + name + "': it has no conditions");
      }
    }
  }

  /** The name, its evidence and the rulebook's play (null for generated names) of each centre. */
  public record Names(String[] names, String[] evidence, String[] plays, String[] origins) {}

  /**
   * @param ids       segment id of each centre
   * @param kept      per centre, the previous run's name and evidence when its id was kept
   * @param overrides segment id → name given by people
   */
  public static Names name(SegmentProfile profile, int[] ids, List<Optional<String[]>> kept, List<Rule> rules,
      double minDistinction, Map<Integer, String> overrides) {
    int k = ids.length;
    String[] names = new String[k];
    String[] evidence = new String[k];
    String[] plays = new String[k];
    String[] origins = new String[k];
    Set<String> taken = new HashSet<>();
    for (int j = 0; j < k; j++) {
      if (kept.get(j).isPresent() && stillHolds(profile, j, kept.get(j).get()[1], minDistinction)) {
        names[j] = kept.get(j).get()[0];
        evidence[j] = restate(profile, j, kept.get(j).get()[1], minDistinction);
        String name = names[j];
        plays[j] = rules.stream().filter(r -> r.name().equals(name)).map(Rule::play).findFirst().orElse(null);
        origins[j] = "kept";
        taken.add(names[j]);
      }
    }
    List<double[]> fits = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      for (int r = 0; r < rules.size(); r++) {
        double support = support(profile, j, rules.get(r), minDistinction);
        if (names[j] == null && support > 0 && !taken.contains(rules.get(r).name())) {
          fits.add(new double[] {support, j, r});
        }
      }
    }
    fits.sort(Comparator.comparingDouble((double[] f) -> -f[0]).thenComparingDouble(f -> f[1]).thenComparingDouble(f -> f[2]));
    for (double[] f : fits) {
      final int j = (int) f[1];
      Rule rule = rules.get((int) f[2]);
      if (names[j] == null && taken.add(rule.name())) {
        names[j] = rule.name();
        evidence[j] = evidence(profile, j, rule.when().stream().map(Condition::indicator).toList(), minDistinction);
        plays[j] = rule.play();
        origins[j] = "rulebook";
      }
    }
    for (int j = 0; j < k; j++) {
      if (names[j] == null) {
        // The two most distinctive indicators that say different things (two lows of one
        // behaviour share a word: the next distinctive indicator gives the second word).
        Map<String, String> words = new java.util.LinkedHashMap<>();
        for (SegmentProfile.Distinction d : profile.distinctions(j, minDistinction)) {
          if (words.size() < 2) {
            words.putIfAbsent(word(d.indicator(), d.high()), d.indicator());
          }
        }
        names[j] = unique(words.isEmpty() ? TYPICAL : String.join(" & ", words.keySet()), taken);
        evidence[j] = evidence(profile, j, List.copyOf(words.values()), minDistinction);
        origins[j] = "generated";
      }
      String override = overrides.get(ids[j]);
      if (override != null) {
        names[j] = override;
        origins[j] = "override";
      }
    }
    return new Names(names, evidence, plays, origins);
  }

  /** The weakest |z| of the rule's conditions on centre {@code j}, or 0 when one does not hold. */
  static double support(SegmentProfile profile, int j, Rule rule, double minDistinction) {
    double weakest = Double.MAX_VALUE;
    for (Condition c : rule.when()) {
      if (!profile.indicators().contains(c.indicator())) {
        return 0;
      }
      double z = profile.z(j, c.indicator());
      double signed = c.high() ? z : -z;
      if (signed < minDistinction) {
        return 0;
      }
      weakest = Math.min(weakest, signed);
    }
    return weakest;
  }

  /** Whether every "indicator high|low" of a kept name's evidence still stands out the same way. */
  static boolean stillHolds(SegmentProfile profile, int j, String evidence, double minDistinction) {
    List<Condition> basis = basis(evidence);
    if (basis.isEmpty()) {
      return profile.distinctions(j, minDistinction).isEmpty();
    }
    return basis.stream().allMatch(c -> profile.indicators().contains(c.indicator())
        && (c.high() ? profile.z(j, c.indicator()) : -profile.z(j, c.indicator())) >= minDistinction);
  }

  private static String restate(SegmentProfile profile, int j, String evidence, double minDistinction) {
    return evidence(profile, j, basis(evidence).stream().map(Condition::indicator).toList(), minDistinction);
  }

  /** How centre {@code j} stands out on {@code indicators} ("tickets_90d high +2.3 sd (…); …"). */
  private static String evidence(SegmentProfile profile, int j, List<String> indicators, double minDistinction) {
    if (indicators.isEmpty()) {
      return "no indicator stands out by " + minDistinction + " sd";
    }
    return String.join("; ", indicators.stream().map(i -> distinction(profile, j, i).describe()).toList());
  }

  /** The conditions an evidence line was written for ("tickets_90d high +2.3 sd (…); …"). */
  static List<Condition> basis(String evidence) {
    List<Condition> out = new ArrayList<>();
    for (String part : evidence.split(";\\s*")) {
      String[] words = part.trim().split("\\s+");
      if (words.length >= 2 && (words[1].equals("high") || words[1].equals("low"))) {
        out.add(new Condition(words[0], words[1].equals("high")));
      }
    }
    return out;
  }

  private static SegmentProfile.Distinction distinction(SegmentProfile profile, int j, String indicator) {
    int i = profile.indicators().indexOf(indicator);
    return new SegmentProfile.Distinction(indicator, profile.z()[j][i], profile.mean()[j][i], profile.population()[i]);
  }

  /** The vocabulary's word for standing out on an indicator, or "High tickets 90d" when it has none. */
  static String word(String indicator, boolean high) {
    return DuckVocabulary.name(indicator, high).orElseGet(() -> (high ? "High " : "Low ")
        + indicator.replace('_', ' '));
  }

  private static String unique(String name, Set<String> taken) {
    String candidate = name;
    for (int n = 2; !taken.add(candidate); n++) {
      candidate = name + " " + n;
    }
    return candidate;
  }
}
