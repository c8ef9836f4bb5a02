package io.lipsyncguard.job.verdict;

/** Welford's numerically stable running mean and variance, as pure functions over (count, mean, m2). */
public final class Welford {

    private Welford() {}

    /** Adds x to the state {count, mean, m2} in place. */
    public static void add(double[] state, double x) {
        state[0] += 1;
        double delta = x - state[1];
        state[1] += delta / state[0];
        state[2] += delta * (x - state[1]);
    }

    /** Population variance (m2 / n); 0 for fewer than two values. */
    public static double variance(double[] state) {
        return state[0] < 2 ? 0 : state[2] / state[0];
    }
}
