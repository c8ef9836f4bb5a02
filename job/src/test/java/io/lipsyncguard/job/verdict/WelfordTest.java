package io.lipsyncguard.job.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** Welford mean/variance against a two-pass computation, also far from zero. */
class WelfordTest {

    @Test
    void matchesTwoPassMeanAndVariance() {
        double[] xs = {0.1, 0.9, 0.35, 0.42, 0.77, 0.05, 1e-3};
        double[] s = new double[3];
        for (double x : xs) {
            Welford.add(s, x);
        }
        double mean = 0;
        for (double x : xs) {
            mean += x;
        }
        mean /= xs.length;
        double var = 0;
        for (double x : xs) {
            var += (x - mean) * (x - mean);
        }
        var /= xs.length;
        assertThat(s[0]).isEqualTo(7);
        assertThat(s[1]).isCloseTo(mean, offset(1e-12));
        assertThat(Welford.variance(s)).isCloseTo(var, offset(1e-12));
    }

    @Test
    void stableForLargeOffsets() {
        double[] s = new double[3];
        for (int i = 0; i < 1000; i++) {
            Welford.add(s, 1e9 + (i % 2));
        }
        assertThat(Welford.variance(s)).isCloseTo(0.25, offset(1e-6));
    }
}
