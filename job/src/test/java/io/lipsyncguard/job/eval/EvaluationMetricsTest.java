package io.lipsyncguard.job.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.lipsyncguard.job.eval.EvaluationMetrics.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-checked small cases (the first is scikit-learn's documentation example). */
class EvaluationMetricsTest {

    static Sample s(boolean fake, double score, String verdict) {
        return new Sample("v" + score, fake, score, verdict);
    }

    @Test
    void scikitLearnsExample() {
        // y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8]: AUC 0.75, AP 0.8333 (sklearn docs)
        List<Sample> set = List.of(s(false, 0.1, "REAL"), s(false, 0.4, "UNCERTAIN"), s(true, 0.35, "REAL"),
                s(true, 0.8, "FAKE"));
        EvaluationMetrics m = EvaluationMetrics.compute(set, 0.5);
        assertThat(m.rocAuc()).isCloseTo(0.75, within(1e-12));
        assertThat(m.averagePrecision()).isCloseTo(0.5 * 1.0 + 0.5 * (2.0 / 3.0), within(1e-12)); // 0.8333
        // at 0.5 only the 0.8 fake is called fake: TN 2, FP 0, FN 1, TP 1
        assertThat(m.confusion()).isDeepEqualTo(new long[][] {{2, 0}, {1, 1}});
        assertThat(m.accuracy()).isEqualTo(0.75);
        assertThat(m.fpr()).isZero();
        assertThat(m.fnr()).isEqualTo(0.5);
        // finding both fakes needs the threshold down to 0.35, where the 0.4 real is also above: FPR 1/2
        assertThat(m.fprAt95Tpr()).isEqualTo(0.5);
        assertThat(m.uncertainRate()).isEqualTo(0.25);
        assertThat(m.verdictAccuracy()).isCloseTo(2.0 / 3.0, within(1e-12)); // REAL ok, REAL wrong, FAKE ok
    }

    @Test
    void tiesCountHalfAndVideosWithoutScoreAreLeftOut() {
        List<Sample> set = List.of(s(false, 0.6, "FAKE"), s(true, 0.6, "FAKE"), s(true, 0.9, "FAKE"),
                new Sample("no-face", true, Double.NaN, "UNCERTAIN"));
        EvaluationMetrics m = EvaluationMetrics.compute(set, 0.5);
        assertThat(m.videos()).isEqualTo(4);
        assertThat(m.scored()).isEqualTo(3);
        assertThat(m.rocAuc()).isEqualTo((1 + 0.5) / 2); // 0.9 beats 0.6; 0.6 ties 0.6
        // tied scores form one step: at 0.9 P=1 R=1/2, at 0.6 P=2/3 R=1 -> AP = 0.5 + 0.5·2/3
        assertThat(m.averagePrecision()).isCloseTo(0.5 + 1.0 / 3.0, within(1e-12));
        assertThat(m.fprAt95Tpr()).isEqualTo(1.0);
        assertThat(m.fpr()).isEqualTo(1.0);
        assertThat(m.uncertainRate()).isEqualTo(0.25);
    }

    @Test
    void perfectSeparation() {
        EvaluationMetrics m = EvaluationMetrics.compute(List.of(s(false, 0.1, "REAL"), s(false, 0.2, "REAL"),
                s(true, 0.7, "FAKE"), s(true, 0.95, "FAKE")), 0.5);
        assertThat(m.rocAuc()).isEqualTo(1.0);
        assertThat(m.averagePrecision()).isEqualTo(1.0);
        assertThat(m.fprAt95Tpr()).isZero();
        assertThat(m.accuracy()).isEqualTo(1.0);
        assertThat(m.verdictAccuracy()).isEqualTo(1.0);
    }

    @Test
    void oneClassOnlyGivesNaNWhereUndefined() {
        EvaluationMetrics m = EvaluationMetrics.compute(List.of(s(false, 0.1, "REAL")), 0.5);
        assertThat(m.rocAuc()).isNaN();
        assertThat(m.averagePrecision()).isNaN();
        assertThat(m.fnr()).isNaN();
        assertThat(m.fpr()).isZero();
    }
}
