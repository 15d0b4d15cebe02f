package io.churnducks.jobs.generate;

import java.util.SplittableRandom;

/**
 * Seeding and sampling helpers. Every account draws from its own {@link SplittableRandom}s,
 * seeded from (seed, account index, stream), so the output does not depend on partitioning,
 * and each kind of artefact (lifecycle, invoices, tickets, …) has its own stream so that
 * changing how one is rendered never shifts the draws of another. The simulation uses
 * {@link StrictMath}, whose results are the same on every JVM and CPU, so a cluster reproduces a
 * local run.
 */
final class Randoms {

  /** Independent random streams of one account. */
  enum Stream { LIFECYCLE, INVOICES, TICKETS, SURVEYS, EVENTS }

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private Randoms() {}

  /** SplitMix64's finaliser: a bijective, well-mixed 64-bit hash. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Hash of several values, order-sensitive. */
  static long hash(long... parts) {
    long h = 0x5DEECE66DL;
    for (long p : parts) {
      h = mix64(h * GOLDEN_GAMMA + p);
    }
    return h;
  }

  /** A uniform number in [0, 1) derived only from the given values. */
  static double unitHash(long... parts) {
    return (hash(parts) >>> 11) * 0x1.0p-53;
  }

  /** The random stream {@code stream} of account {@code accountIndex} under {@code seed}. */
  static SplittableRandom forAccount(long seed, long accountIndex, Stream stream) {
    return new SplittableRandom(hash(seed, accountIndex, stream.ordinal() + 1L));
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  static int between(SplittableRandom r, int lo, int hi) {
    return lo + r.nextInt(hi - lo + 1);
  }

  /** Uniform double in [lo, hi). */
  static double uniform(SplittableRandom r, double lo, double hi) {
    return lo + (hi - lo) * r.nextDouble();
  }

  /** Poisson draw; exact inversion for small means, normal approximation above 60. */
  static int poisson(SplittableRandom r, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 60) {
      return Math.max(0, (int) Math.round(mean + StrictMath.sqrt(mean) * r.nextGaussian()));
    }
    double limit = StrictMath.exp(-mean);
    double product = r.nextDouble();
    int n = 0;
    while (product > limit) {
      product *= r.nextDouble();
      n++;
    }
    return n;
  }

  /** Log-normal multiplier with mean 1 and log-scale standard deviation {@code sigma}. */
  static double logNormal(SplittableRandom r, double sigma) {
    return StrictMath.exp(sigma * r.nextGaussian() - sigma * sigma / 2);
  }

  /** Beta(a, b) draw for integer shape parameters, as a ratio of Erlang draws. */
  static double beta(SplittableRandom r, int a, int b) {
    double x = erlang(r, a);
    double y = erlang(r, b);
    return x / (x + y);
  }

  /** Gamma draw with integer shape {@code k} and mean 1 (variance 1/k). */
  static double gamma(SplittableRandom r, int k) {
    return erlang(r, k) / k;
  }

  private static double erlang(SplittableRandom r, int shape) {
    double sum = 0;
    for (int i = 0; i < shape; i++) {
      sum -= StrictMath.log(1.0 - r.nextDouble());
    }
    return sum;
  }

  /** Index drawn with probability proportional to {@code weights}. */
  static int pick(SplittableRandom r, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double u = r.nextDouble() * total;
    for (int i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** Uniform element of {@code values}. */
  static <T> T oneOf(SplittableRandom r, T[] values) {
    return values[r.nextInt(values.length)];
  }
}
