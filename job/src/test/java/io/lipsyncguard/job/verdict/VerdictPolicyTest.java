package io.lipsyncguard.job.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.score.ScoreStatus;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.window.WindowKind;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class VerdictPolicyTest {

    static final DecisionPolicy POLICY = new DecisionPolicy(0.5, 0.1, 3, 25, 15);

    static ScoredWindow window(int i, ScoreStatus status, double score, int offset) {
        float[] curve = new float[31];
        if (status == ScoreStatus.SCORED) {
            curve[offset + 15] = 1f;
        }
        return new ScoredWindow("v", WindowKind.WINDOW, i, i * 400L, i * 400L + 2000, status,
                status == ScoreStatus.SCORED ? score : Double.NaN, offset, 0.5,
                status == ScoreStatus.SCORED ? curve : new float[0], 1, 1, 0, true, null, 0);
    }

    static VideoAggregate aggregate(int n, double score, ScoreStatus skipped, int nSkipped) {
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < n; i++) {
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, score, 2));
        }
        for (int i = 0; i < nSkipped; i++) {
            VerdictAggregator.add(a, window(n + i, skipped, 0, 0));
        }
        return a;
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                // scored, score, skipped class, skipped, expected label, expected reason
                Arguments.of(10, 0.9, ScoreStatus.NO_FACE, 0, Label.FAKE, null),
                Arguments.of(10, 0.6, ScoreStatus.NO_FACE, 0, Label.FAKE, null), // exactly threshold + band
                Arguments.of(10, 0.59, ScoreStatus.NO_FACE, 0, Label.UNCERTAIN, "score-near-threshold"),
                Arguments.of(10, 0.5, ScoreStatus.NO_FACE, 0, Label.UNCERTAIN, "score-near-threshold"),
                Arguments.of(10, 0.41, ScoreStatus.NO_FACE, 0, Label.UNCERTAIN, "score-near-threshold"),
                Arguments.of(10, 0.4, ScoreStatus.NO_FACE, 0, Label.REAL, null), // exactly threshold - band
                Arguments.of(10, 0.05, ScoreStatus.NO_FACE, 0, Label.REAL, null),
                Arguments.of(3, 0.9, ScoreStatus.NO_FACE, 0, Label.FAKE, null), // exactly min evidence
                Arguments.of(2, 0.9, ScoreStatus.NO_FACE, 8, Label.UNCERTAIN, "no-face"),
                Arguments.of(2, 0.05, ScoreStatus.SILENT, 8, Label.UNCERTAIN, "silence"),
                Arguments.of(0, 0.0, ScoreStatus.MULTI_FACE, 5, Label.UNCERTAIN, "multiple-faces"),
                Arguments.of(1, 0.9, ScoreStatus.TIMEOUT, 5, Label.UNCERTAIN, "unscored-windows"),
                Arguments.of(0, 0.0, ScoreStatus.NO_FACE, 0, Label.UNCERTAIN, "insufficient-evidence"));
    }

    @ParameterizedTest(name = "{0} windows at {1}, {3} {2} -> {4}")
    @MethodSource("rules")
    void decisionRules(int scored, double score, ScoreStatus skipped, int nSkipped, Label label, String reason) {
        VerdictPolicy.Decision d = VerdictPolicy.decide(aggregate(scored, score, skipped, nSkipped), POLICY);
        assertThat(d.label()).isEqualTo(label);
        if (reason == null) {
            assertThat(d.reasons()).isEmpty();
        } else {
            assertThat(d.reasons()).contains(reason);
        }
        assertThat(d.confidence()).isBetween(0.0, 1.0);
        if (label != Label.UNCERTAIN) {
            assertThat(d.confidence()).isGreaterThanOrEqualTo(0.5);
        }
    }

    @Test
    void confidenceGrowsWithMarginAndEvidence() {
        double weak = VerdictPolicy.decide(aggregate(10, 0.65, ScoreStatus.NO_FACE, 0), POLICY).confidence();
        double strong = VerdictPolicy.decide(aggregate(10, 0.95, ScoreStatus.NO_FACE, 0), POLICY).confidence();
        double thin = VerdictPolicy.decide(aggregate(3, 0.95, ScoreStatus.NO_FACE, 0), POLICY).confidence();
        assertThat(strong).isGreaterThan(weak).isGreaterThan(thin);
    }

    @Test
    void offsetComesFromTheSummedCurveInMilliseconds() {
        VideoAggregate a = aggregate(5, 0.9, ScoreStatus.NO_FACE, 0);
        assertThat(VerdictPolicy.offsetMs(a, POLICY)).isEqualTo(80.0); // 2 frames at 25 fps
        VerdictAggregator.add(a, window(9, ScoreStatus.SCORED, 0.9, -6)); // one outlier cannot move it
        assertThat(VerdictPolicy.offsetMs(a, POLICY)).isEqualTo(80.0);
        assertThat(VerdictPolicy.offsetMs(new VideoAggregate(), POLICY)).isNull();
    }

    @Test
    void endReasonIsReportedWhenThereIsNoEvidence() {
        VideoAggregate a = new VideoAggregate();
        a.endReason = "no-audio";
        assertThat(VerdictPolicy.decide(a, POLICY).reasons()).containsExactly("no-audio", "insufficient-evidence");
    }

    @Test
    void verdictCarriesStatisticsAndCounts() {
        VideoAggregate a = aggregate(4, 0.8, ScoreStatus.SILENT, 2);
        Verdict v = VerdictAggregator.build("v", VerdictKind.FINAL, a, POLICY, new ModelRef("m", "1"), 42L);
        assertThat(v.score().count()).isEqualTo(4);
        assertThat(v.score().mean()).isEqualTo(0.8);
        assertThat(v.windows()).isEqualTo(new WindowCounts(6, 4, 0, 2, 0, 0));
        assertThat(VerdictSerializer.toJson(v)).startsWith("{\"videoId\":\"v\",\"kind\":\"FINAL\",\"verdict\":\"FAKE\"")
                .contains("\"offsetMs\":80.0").doesNotContain("error");
    }

    @Test
    void videoReadoutOfTheAverageCurveDecidesWhenCalibrated() {
        DecisionPolicy video = new DecisionPolicy(0.5, 0.1, 3, 25, 15, 3, 0.0, 10.0, -5.0);
        // curves peaking at lag +2 (inside the tolerance): gap = 0 - 1 = -1, peak 1 -> z = -15 -> REAL
        VideoAggregate inSync = aggregate(5, 0.9, ScoreStatus.NO_FACE, 0);
        VerdictPolicy.Decision d = VerdictPolicy.decide(inSync, video);
        assertThat(d.videoScore()).isLessThan(0.01);
        assertThat(d.label()).as("the video read-out overrides a high mean window score").isEqualTo(Label.REAL);
        // curves peaking at lag +8: gap = 1, peak 0 -> z = 10 -> FAKE
        VideoAggregate shifted = new VideoAggregate();
        for (int i = 0; i < 5; i++) {
            VerdictAggregator.add(shifted, window(i, ScoreStatus.SCORED, 0.1, 8));
        }
        VerdictPolicy.Decision f = VerdictPolicy.decide(shifted, video);
        assertThat(f.label()).isEqualTo(Label.FAKE);
        assertThat(f.offsetMs()).isEqualTo(320.0);
        assertThat(VerdictPolicy.decide(shifted, POLICY).videoScore()).as("no read-out without calibration").isNull();
    }

    @Test
    void curveFeaturesAverageBeforeReading() {
        float[] sum = new float[31];
        sum[15 + 3] = 6f; // inside tolerance 3
        sum[15 + 4] = 3f; // just outside
        assertThat(VerdictPolicy.curveFeatures(sum, 3, 15, 3)).containsExactly(1.0 - 2.0, 2.0);
    }
}
