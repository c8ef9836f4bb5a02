package io.lipsyncguard.models;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Logistic regression recovers known coefficients and stays finite on separable data. */
class LogisticFitTest {

    @Test
    void recoversKnownCoefficients() {
        double[] truth = {-0.7, 2.0, -1.3};
        Random rnd = new Random(9);
        int n = 20000;
        double[][] x = new double[n][2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = rnd.nextGaussian();
            x[i][1] = rnd.nextGaussian() * 1.5;
            double p = SyncBaselineFeatures.sigmoid(truth[0] + truth[1] * x[i][0] + truth[2] * x[i][1]);
            y[i] = rnd.nextDouble() < p ? 1 : 0;
        }
        double[] beta = LogisticFit.fit(x, y, 1e-3);
        assertThat(beta).hasSize(3);
        for (int j = 0; j < 3; j++) {
            assertThat(beta[j]).as("coefficient %d", j).isCloseTo(truth[j], within(0.1));
        }
        assertThat(LogisticFit.fit(x, y, 1e-3)).containsExactly(beta);
    }

    @Test
    void separableDataStaysFinite() {
        double[][] x = new double[200][1];
        int[] y = new int[200];
        for (int i = 0; i < 200; i++) {
            x[i][0] = i < 100 ? -1 - i * 0.01 : 1 + i * 0.01;
            y[i] = i < 100 ? 0 : 1;
        }
        double[] beta = LogisticFit.fit(x, y, 1e-2);
        assertThat(beta[1]).isPositive().isLessThan(1e3);
        assertThat(Double.isFinite(beta[0])).isTrue();
        assertThat(LogisticFit.predict(beta, new double[]{2})).isGreaterThan(0.99);
        assertThat(LogisticFit.predict(beta, new double[]{-2})).isLessThan(0.01);
    }

    @Test
    void strongerPenaltyShrinksWeights() {
        Random rnd = new Random(1);
        double[][] x = new double[500][1];
        int[] y = new int[500];
        for (int i = 0; i < 500; i++) {
            x[i][0] = rnd.nextGaussian();
            y[i] = rnd.nextDouble() < SyncBaselineFeatures.sigmoid(3 * x[i][0]) ? 1 : 0;
        }
        assertThat(Math.abs(LogisticFit.fit(x, y, 100)[1])).isLessThan(Math.abs(LogisticFit.fit(x, y, 1e-3)[1]));
    }
}
