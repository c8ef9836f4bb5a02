package io.lipsyncguard.job.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.score.ScoreStatus;
import org.junit.jupiter.api.Test;

/** Free-text questions mapped to the fixed set and answered from a verdict's metrics. */
class VerdictQuestionsTest {

    static final DecisionPolicy POLICY = VerdictExplanationTest.POLICY;

    @Test
    void freeTextSelectsTheFixedQuestions() {
        assertThat(VerdictQuestions.match("Why is this FAKE?")).containsExactly("why");
        assertThat(VerdictQuestions.match("which segments look wrong")).containsExactly("segments");
        assertThat(VerdictQuestions.match("how sure are you")).containsExactly("sure");
        assertThat(VerdictQuestions.match("what offset?")).containsExactly("offset");
        assertThat(VerdictQuestions.match("what evidence was missing")).containsExactly("missing");
        assertThat(VerdictQuestions.match("what is the weather")).isEmpty();
        // words match at the start of a word: "flagged" holds "lag", "problems" "ms" and "sometimes" "time"
        assertThat(VerdictQuestions.match("Why was it flagged?")).containsExactly("why");
        assertThat(VerdictQuestions.match("any problems sometimes")).isEmpty();
        assertThat(VerdictQuestions.match("how confident is the lag in ms")).containsExactly("sure", "offset");
        assertThat(VerdictQuestions.match("what was left out")).containsExactly("missing");
        assertThat(VerdictQuestions.supported()).contains("why", "segments", "sure", "offset", "missing");
    }

    @Test
    void answersComeFromTheMetrics() {
        Verdict fake = VerdictExplanationTest.build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.concat(
                VerdictPolicyTest.repeat(0.1, 20), VerdictPolicyTest.repeat(0.9, 6), VerdictPolicyTest.repeat(0.1, 20))));
        assertThat(VerdictQuestions.answer(fake, "why", POLICY)).startsWith("FAKE with confidence")
                .contains("localized manipulation").contains("Reason codes: localized-manipulation");
        assertThat(VerdictQuestions.answer(fake, "segments", POLICY)).contains("0:08.0-0:12.0");
        assertThat(VerdictQuestions.answer(fake, "sure", POLICY)).contains("46 windows were scored")
                .contains("13% of them at or above the threshold 0.50");
        assertThat(VerdictQuestions.answer(fake, "missing", POLICY)).startsWith("Nothing was missing: all 46");

        Verdict thin = VerdictExplanationTest.build(VerdictPolicyTest.aggregate(0, 0, ScoreStatus.SILENT, 6));
        assertThat(VerdictQuestions.answer(thin, "offset", POLICY)).contains("no window was scored");
        assertThat(VerdictQuestions.answer(thin, "missing", POLICY)).contains("6 windows without speech");
        assertThat(VerdictQuestions.answer(thin, "sure", POLICY)).contains("too thin");
        DecisionPolicy rollingFloor = POLICY.withMinRollingWindows(12);
        Verdict early = VerdictAggregator.build("v", VerdictKind.ROLLING,
                VerdictPolicyTest.scores(rollingFloor, VerdictPolicyTest.repeat(0.9, 5)), rollingFloor,
                VerdictExplanationTest.MODEL, 1L);
        assertThat(early.reasons()).containsExactly("early");
        assertThat(VerdictQuestions.answer(early, "sure", rollingFloor)).contains("Too early to say")
                .contains("waits for 12 scored windows").contains("0.90, at or above the threshold")
                .doesNotContain("too thin");
        // windows cut that never came are not "nothing missing"
        VideoAggregate partial = VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.repeat(0.1, 8));
        partial.ended = true;
        partial.expectedWindows = 11;
        Verdict lost = VerdictExplanationTest.build(partial);
        assertThat(lost.reasons()).contains("missing-windows");
        assertThat(VerdictQuestions.answer(lost, "missing", POLICY)).doesNotContain("Nothing was missing")
                .contains("did not reach this verdict").contains("covers the 8 that did");
        Verdict clean = VerdictExplanationTest.build(VerdictPolicyTest.scores(POLICY, VerdictPolicyTest.repeat(0.1, 8)));
        assertThat(VerdictQuestions.answer(clean, "segments", POLICY)).startsWith("No stretch of windows");
    }

    @Test
    void aVideoWithoutAnyWindowIsNotOneWithNothingMissing() {
        for (String cause : new String[] {"too-short", "no-audio"}) {
            VideoAggregate none = new VideoAggregate();
            none.ended = true;
            none.endReason = cause;
            Verdict v = VerdictExplanationTest.build(none);
            assertThat(v.windows().total()).isZero();
            assertThat(VerdictQuestions.answer(v, "missing", POLICY)).as(cause)
                    .startsWith("No window could be cut, so nothing could be scored: ")
                    .contains(cause.equals("no-audio") ? "no audio track" : "shorter than one analysis window")
                    .doesNotContain("Nothing was missing");
        }
    }

    @Test
    void aModelWithoutOffsetsIsSaidToGiveNoneNotToHaveScoredNothing() {
        // LipFD-style: one probability per window, no lag curve
        DecisionPolicy noOffsets = new DecisionPolicy(POLICY.threshold(), POLICY.band(), POLICY.minEvidenceWindows(),
                POLICY.fps(), POLICY.marginFrames(), POLICY.toleranceFrames(), POLICY.videoBias(),
                POLICY.videoWeightGap(), POLICY.videoWeightPeak(), POLICY.maxWindowStd(), POLICY.suspiciousScore(),
                POLICY.segmentMinMs(), POLICY.highRiskConfidence(), false, POLICY.maxOffsetMs(),
                POLICY.maxAudioLeadMs(), POLICY.offsetSmoothingFrames(), POLICY.minRollingWindows());
        Verdict scored = VerdictAggregator.build("v", VerdictKind.FINAL,
                VerdictPolicyTest.scores(noOffsets, VerdictPolicyTest.repeat(0.2, 20)), noOffsets,
                VerdictExplanationTest.MODEL, 1L);
        assertThat(scored.offsetMs()).isNull();
        assertThat(scored.windows().scored()).isEqualTo(20);
        assertThat(VerdictQuestions.answer(scored, "offset", noOffsets)).startsWith("This model gives no audio-visual "
                + "offset").doesNotContain("no window was scored");
    }
}
