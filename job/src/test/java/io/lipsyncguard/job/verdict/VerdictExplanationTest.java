package io.lipsyncguard.job.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.score.ScoreStatus;
import org.junit.jupiter.api.Test;

/** The explanation is a pure function of the metrics: same metrics, same text; each rule names its numbers. */
class VerdictExplanationTest {

    static final DecisionPolicy POLICY = VerdictPolicyTest.POLICY.withRules(0.35, 0.7, 4000, 0.8);
    static final ModelRef MODEL = new ModelRef("m", "1");

    static Verdict build(VideoAggregate a) {
        return VerdictAggregator.build("v", VerdictKind.FINAL, a, POLICY, MODEL, 1L);
    }

    @Test
    void sameMetricsGiveTheSameTextAndOtherMetricsAnother() {
        Verdict a = build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.repeat(0.9, 10)));
        Verdict b = VerdictAggregator.build("other-id", VerdictKind.FINAL,
                VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.repeat(0.9, 10)), POLICY, MODEL, 99L);
        Verdict c = build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.repeat(0.1, 10)));

        assertThat(a.explanation()).isEqualTo(b.explanation()).isNotEqualTo(c.explanation());
        assertThat(a.explanation()).startsWith("FAKE with confidence").contains("(HIGH risk)")
                .contains("above the threshold 0.50").contains("100% of the 10 scored windows")
                .contains("+80 ms"); // 2 frames: inside the ±3-frame tolerance
        assertThat(c.explanation()).startsWith("REAL").contains("below the threshold");
        // on the band's edge the verdict is decisive, and the text says so without claiming "more than"
        Verdict edge = build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.repeat(0.6, 10)));
        assertThat(edge.verdict()).isEqualTo(Label.FAKE);
        assertThat(edge.explanation()).contains("above the threshold 0.50 by at least the uncertain band 0.10");
        // decided on the score as reported: 0.5996 is reported as 0.6, on the edge, and decided as 0.6 too
        Verdict reported = build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.repeat(0.5996, 10)));
        assertThat(reported.score().mean()).isEqualTo(0.6);
        assertThat(reported.verdict()).isEqualTo(Label.FAKE);
    }

    @Test
    void localizedManipulationNamesTheSegment() {
        Verdict v = build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.concat(VerdictPolicyTest.repeat(0.1, 20),
                VerdictPolicyTest.repeat(0.9, 6), VerdictPolicyTest.repeat(0.1, 20))));
        assertThat(v.explanation()).contains("contiguous suspicious stretch of 4.0 s (0:08.0-0:12.0")
                .contains("Suspicious segments: 0:08.0-0:12.0 (mean score 0.90)");
    }

    @Test
    void localizedManipulationOverAHighScoreDoesNotCallItLow() {
        // a clean start and a long fake run: the mean is high, and the windows disagree
        Verdict v = build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.concat(VerdictPolicyTest.repeat(0.0, 12),
                VerdictPolicyTest.repeat(1.0, 28))));
        assertThat(v.reasons()).contains("localized-manipulation");
        assertThat(v.score().mean()).isGreaterThan(POLICY.threshold() + POLICY.band());
        assertThat(v.explanation()).contains("contiguous suspicious stretch")
                .contains("and the windows disagree (stability").doesNotContain("stays below");
    }

    @Test
    void mediaTimesRoundIntoTheNextMinute() {
        assertThat(VerdictExplanation.clock(59_960)).isEqualTo("1:00.0");
        assertThat(VerdictExplanation.clock(119_999)).isEqualTo("2:00.0");
        assertThat(VerdictExplanation.clock(59_940)).isEqualTo("0:59.9");
        assertThat(VerdictExplanation.clock(8_000)).isEqualTo("0:08.0");
        assertThat(VerdictExplanation.clock(0)).isEqualTo("0:00.0");
    }

    @Test
    void missingEvidenceIsSpelledOut() {
        VideoAggregate a = VerdictPolicyTest.aggregate(1, 0.9, ScoreStatus.NO_FACE, 7);
        Verdict v = build(a);
        assertThat(v.explanation()).contains("Only 1 of 8 windows had the evidence a score needs")
                .contains("fewer than the 3 needed to decide")
                .contains("7 windows without a face");
    }

    @Test
    void offsetsOutsideTheToleranceSayWhichWayTheAudioIs() {
        VideoAggregate late = new VideoAggregate();
        for (int i = 0; i < 5; i++) {
            VerdictAggregator.add(late, VerdictPolicyTest.window(i, ScoreStatus.SCORED, 0.9, 10), POLICY);
        }
        assertThat(build(late).explanation()).contains("Estimated offset +400 ms: the audio is later than the lips");
    }

    @Test
    void errorVerdictsSayWhy() {
        Verdict e = new Verdict("v", VerdictKind.ERROR, null, 0, null, null, null, null, null, null, null, null, null,
                new WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0), MODEL, new String[] {"undecodable"}, null, "no video stream",
                new String[] {"no video stream"}, 0, 1);
        assertThat(VerdictExplanation.of(e, POLICY)).isEqualTo("The video could not be analysed: no video stream.");
    }
}
