package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Label;
import io.lipsyncguard.job.verdict.VerdictAggregator;
import io.lipsyncguard.job.verdict.VerdictPolicy;
import io.lipsyncguard.job.verdict.VideoAggregate;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import org.junit.jupiter.api.Test;

/** A model result that is not a usable number fails its window instead of poisoning the video's statistics. */
class ScoredWindowTest {

    static final DecisionPolicy POLICY = new DecisionPolicy(0.5, 0.1, 3, 25, 15);

    static AvWindow window(int i) {
        return new AvWindow("v", WindowKind.WINDOW, i, i * 400L, i * 400L + 2000, new byte[0], new float[0], 1, 1, 0,
                0, true, null, 0);
    }

    static WindowResult result(double score, double offset, float... curve) {
        return new WindowResult(score, offset, 0.5, curve);
    }

    @Test
    void unusableResultsFailTheirWindow() {
        assertThat(ScoredWindow.scored(window(0), result(0.3, 1, 0.1f, 0.2f)).status()).isEqualTo(ScoreStatus.SCORED);
        // a model without a sync-confidence output gives NaN there: that is no failure
        assertThat(ScoredWindow.scored(window(0), new WindowResult(0.3, 1, Double.NaN, new float[0])).isScored())
                .isTrue();
        for (WindowResult bad : new WindowResult[] {result(Double.NaN, 0), result(1.5, 0), result(-0.1, 0),
                result(0.3, Double.NaN), result(0.3, 0, 0.1f, Float.NaN), result(0.3, 0, 0.1f, 2e38f),
                new WindowResult(0.3, 0, Double.POSITIVE_INFINITY, new float[0])}) {
            ScoredWindow w = ScoredWindow.scored(window(0), bad);
            assertThat(w.status()).as("%s", bad).isEqualTo(ScoreStatus.FAILED);
            assertThat(w.reason()).startsWith("model output unusable: ");
        }
    }

    @Test
    void curvesNearTheFloatLimitCannotOverflowTheVideosSumIntoARealVerdict() {
        // two such windows summed in floats gave an infinite average curve, a NaN video score, rounded to 0: REAL
        ScoredWindow w = ScoredWindow.scored(window(0), result(0.9, 0, 2e38f, 0.1f));
        assertThat(w.status()).isEqualTo(ScoreStatus.FAILED);
        assertThat(w.reason()).contains("lag curve value 2.0E38");
        assertThat(ScoredWindow.scored(window(0), result(0.9, 0, 12.5f, 3f)).isScored())
                .as("distances of an embedding model are measurements").isTrue();
    }

    @Test
    void oneNanWindowNoLongerTurnsAFakeVideoReal() {
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < 10; i++) {
            VerdictAggregator.add(a, ScoredWindow.scored(window(i), result(0.9, 0)), POLICY);
        }
        VerdictAggregator.add(a, ScoredWindow.scored(window(10), result(Double.NaN, 0)), POLICY);
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, POLICY);
        assertThat(d.label()).isEqualTo(Label.FAKE);
        assertThat(d.confidence()).isGreaterThan(0.5);
        assertThat(a.scored).isEqualTo(10);
    }
}
