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

/** The decision rules, segments, offset rule and their boundaries, table-driven on folded window scores. */
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
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, score, 2), POLICY);
        }
        for (int i = 0; i < nSkipped; i++) {
            VerdictAggregator.add(a, window(n + i, skipped, 0, 0), POLICY);
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

    /** Windows of 2 s every 400 ms with the given scores, all scored, offset +2 frames. */
    static VideoAggregate scores(DecisionPolicy p, double... scores) {
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < scores.length; i++) {
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, scores[i], 2), p);
        }
        return a;
    }

    static double[] repeat(double score, int n) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, score);
        return out;
    }

    static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    static Stream<Arguments> segmentRules() {
        // policy: threshold 0.5, band 0.1, suspicious at 0.7, segments of 4 s decide; a run of n windows lasts
        // 2000 + 400·(n − 1) ms
        return Stream.of(
                // 6 suspicious windows = 4.0 s inside clean ones: localized, although the mean stays low
                Arguments.of(concat(repeat(0.1, 20), repeat(0.9, 6), repeat(0.1, 20)), Label.FAKE,
                        "localized-manipulation", RiskLevel.HIGH),
                // a clean start and a long fake run: localized whether the run leaves the mean low (12 of 24) or
                // high (28 of 40, where the windows also disagree): more fake windows must not read as UNCERTAIN
                Arguments.of(concat(repeat(0.0, 12), repeat(1.0, 12)), Label.FAKE, "localized-manipulation",
                        RiskLevel.HIGH),
                Arguments.of(concat(repeat(0.0, 12), repeat(1.0, 28)), Label.FAKE, "localized-manipulation",
                        RiskLevel.HIGH),
                // 5 windows = 3.6 s: too short to decide alone
                Arguments.of(concat(repeat(0.1, 20), repeat(0.9, 5), repeat(0.1, 20)), Label.REAL, null,
                        RiskLevel.LOW),
                // 6 windows, but at 0.69 (just under the segment threshold): no segment
                Arguments.of(concat(repeat(0.1, 20), repeat(0.69, 6), repeat(0.1, 20)), Label.REAL, null,
                        RiskLevel.LOW),
                // a broken run (one clean window in the middle) is two short segments
                Arguments.of(concat(repeat(0.1, 20), repeat(0.9, 3), repeat(0.1, 1), repeat(0.9, 3), repeat(0.1, 20)),
                        Label.REAL, null, RiskLevel.LOW),
                // strongly disagreeing windows alternate: UNCERTAIN, not a verdict either way
                Arguments.of(concat(repeat(0.0, 1), repeat(1.0, 1), repeat(0.0, 1), repeat(1.0, 1), repeat(0.0, 1),
                        repeat(1.0, 1)), Label.UNCERTAIN, "windows-disagree", RiskLevel.MEDIUM),
                // alternating 0.1/0.9: spread 0.4, above the limit; 0.2/0.8: spread 0.3, below it (the mean decides)
                Arguments.of(concat(repeat(0.1, 1), repeat(0.9, 1), repeat(0.1, 1), repeat(0.9, 1)), Label.UNCERTAIN,
                        "windows-disagree", RiskLevel.MEDIUM),
                Arguments.of(concat(repeat(0.2, 1), repeat(0.8, 1), repeat(0.2, 1), repeat(0.8, 1)), Label.UNCERTAIN,
                        "score-near-threshold", RiskLevel.MEDIUM),
                // spread 0.3, below the 0.35 limit: the mean decides; half the windows above the threshold: MEDIUM
                Arguments.of(concat(repeat(0.15, 5), repeat(0.75, 5)), Label.UNCERTAIN, "score-near-threshold",
                        RiskLevel.MEDIUM),
                Arguments.of(concat(repeat(0.2, 6), repeat(0.75, 4)), Label.UNCERTAIN, "score-near-threshold",
                        RiskLevel.LOW),
                Arguments.of(repeat(0.95, 10), Label.FAKE, null, RiskLevel.HIGH),
                Arguments.of(repeat(0.65, 10), Label.FAKE, null, RiskLevel.MEDIUM),
                Arguments.of(repeat(0.55, 10), Label.UNCERTAIN, "score-near-threshold", RiskLevel.MEDIUM));
    }

    @ParameterizedTest(name = "{index}: {1} {2} {3}")
    @MethodSource("segmentRules")
    void segmentDisagreementAndRiskRules(double[] windowScores, Label label, String reason, RiskLevel risk) {
        DecisionPolicy p = POLICY.withRules(0.35, 0.7, 4000, 0.8);
        VerdictPolicy.Decision d = VerdictPolicy.decide(scores(p, windowScores), p);
        assertThat(d.label()).isEqualTo(label);
        assertThat(d.risk()).isEqualTo(risk);
        if (reason == null) {
            assertThat(d.reasons()).isEmpty();
        } else {
            assertThat(d.reasons()).contains(reason);
        }
    }

    @Test
    void aLongRunInAVideoThatScoresFakeAsAWholeIsNoLessAlarmingThanInOneThatDoesNot() {
        DecisionPolicy p = POLICY.withRules(0.35, 0.7, 4000, 0.8);
        // the same 6.4 s run after a clean start (mean 0.5: the run decides) and after a start that scores more
        // fake (mean 0.7, windows agreeing: the mean decides); before, the second came out MEDIUM with less confidence
        VerdictPolicy.Decision runDecides = VerdictPolicy.decide(scores(p, concat(repeat(0.0, 12), repeat(1.0, 12))), p);
        VerdictPolicy.Decision meanDecides = VerdictPolicy.decide(scores(p, concat(repeat(0.4, 12), repeat(1.0, 12))),
                p);
        assertThat(runDecides.reasons()).contains("localized-manipulation");
        assertThat(meanDecides.reasons()).doesNotContain("localized-manipulation");
        assertThat(meanDecides.label()).isEqualTo(Label.FAKE);
        assertThat(meanDecides.risk()).isEqualTo(RiskLevel.HIGH);
        assertThat(meanDecides.confidence()).isGreaterThanOrEqualTo(runDecides.confidence());
        // and no jump at the boundary between the two rules
        VerdictPolicy.Decision below = VerdictPolicy.decide(scores(p, concat(repeat(0.28, 10), repeat(0.9, 10))), p);
        VerdictPolicy.Decision above = VerdictPolicy.decide(scores(p, concat(repeat(0.3, 10), repeat(0.9, 10))), p);
        assertThat(above.risk()).isEqualTo(below.risk()).isEqualTo(RiskLevel.HIGH);
        assertThat(above.confidence()).isGreaterThanOrEqualTo(below.confidence());
    }

    @Test
    void aScoreOnTheBandEdgeIsDecidedByTheMeanWhateverTheFloatSumOfThresholdAndBand() {
        // 0.2 + 0.1 is 0.30000000000000004: a decision score of exactly 0.300 is on the edge, decisive, so a long
        // run in agreeing windows leaves it to the mean (FAKE without localized-manipulation), as for 0.5 + 0.1
        DecisionPolicy p = new DecisionPolicy(0.2, 0.1, POLICY.minEvidenceWindows(), POLICY.fps(),
                POLICY.marginFrames()).withRules(0.35, 0.28, 4000, 0.8);
        VerdictPolicy.Decision d = VerdictPolicy.decide(scores(p, concat(repeat(0.15, 15), repeat(0.45, 15))), p);
        assertThat(d.label()).isEqualTo(Label.FAKE);
        assertThat(d.reasons()).doesNotContain("localized-manipulation", "score-near-threshold");
    }

    @Test
    void segmentsAreTheSuspiciousRunsWithTheirMeanScore() {
        DecisionPolicy p = POLICY.withRules(0.35, 0.7, 4000, 0.8);
        VideoAggregate a = scores(p, concat(repeat(0.1, 3), repeat(0.8, 2), repeat(1.0, 2), repeat(0.2, 1),
                repeat(0.9, 1)));
        Segment[] s = VerdictAggregator.segments(a);
        // window 8 spans 3200..5200 but the first segment already claimed media up to 4400: segments never overlap;
        // the last run is still open, and reported
        assertThat(s).containsExactly(new Segment(1200, 1200 + 400 * 3 + 2000, 0.9, 4),
                new Segment(4400, 5200, 0.9, 1));
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, p);
        assertThat(d.misalignment()).isEqualTo(round3(5.0 / 9)); // 5 of 9 windows >= 0.5
        assertThat(d.stability()).isBetween(0.0, 1.0);
        assertThat(d.offsetSpreadMs()).isEqualTo(0.0); // every window at +2 frames
    }

    @Test
    void segmentsAreOrderedAndNeverOverlapWhateverTheScores() {
        DecisionPolicy p = POLICY.withRules(0.35, 0.7, 4000, 0.8);
        java.util.Random rnd = new java.util.Random(11);
        double[] scores = new double[300];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = rnd.nextDouble() < 0.6 ? 0.9 : 0.2; // many runs broken by single clean windows
        }
        Segment[] s = VerdictAggregator.segments(scores(p, scores));
        assertThat(s).hasSizeGreaterThan(10);
        for (int i = 0; i < s.length; i++) {
            assertThat(s[i].endMs()).isGreaterThan(s[i].startMs());
            if (i > 0) {
                assertThat(s[i].startMs()).as("segment %d starts after %d ends", i, i - 1)
                        .isGreaterThanOrEqualTo(s[i - 1].endMs());
            }
        }
    }

    @Test
    void aWindowWithoutEvidenceBreaksASegment() {
        DecisionPolicy p = POLICY.withRules(0.35, 0.7, 4000, 0.8);
        VideoAggregate a = scores(p, repeat(0.9, 3));
        VerdictAggregator.add(a, window(3, ScoreStatus.NO_FACE, 0, 0), p);
        VerdictAggregator.add(a, window(4, ScoreStatus.SCORED, 0.9, 2), p);
        assertThat(VerdictAggregator.segments(a)).extracting(Segment::windows).containsExactly(3L, 1L);
    }

    @Test
    void windowsTheModelDidNotAnswerNeitherBreakASegmentNorGoUnsaid() {
        DecisionPolicy p = POLICY.withRules(0.35, 0.7, 4000, 0.8);
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < 150; i++) {
            boolean fake = i >= 50 && i < 70;
            // a failing batch in five: every fifth window of the manipulated stretch timed out
            ScoreStatus status = fake && i % 5 == 0 ? ScoreStatus.TIMEOUT : ScoreStatus.SCORED;
            VerdictAggregator.add(a, window(i, status, fake ? 0.9 : 0.2, 2), p);
        }
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, p);
        assertThat(d.label()).isEqualTo(Label.FAKE);
        assertThat(d.reasons()).contains("localized-manipulation", "unscored-windows");
        assertThat(VerdictAggregator.segments(a)).singleElement().extracting(Segment::windows).isEqualTo(16L);
        // an outage longer than a window's overlap breaks the run: a minute the model never answered, between two
        // suspicious windows, is no stretch of suspicious media
        VideoAggregate outage = new VideoAggregate();
        for (int i = 0; i < 200; i++) {
            ScoreStatus status = i > 20 && i < 170 ? ScoreStatus.FAILED : ScoreStatus.SCORED;
            VerdictAggregator.add(outage, window(i, status, i == 20 || i == 170 ? 0.9 : 0.2, 2), p);
        }
        assertThat(VerdictAggregator.segments(outage)).extracting(Segment::windows).containsExactly(1L, 1L);
        assertThat(VerdictPolicy.decide(outage, p).label()).isNotEqualTo(Label.FAKE);
        // a video the model answered throughout says nothing of the kind
        assertThat(VerdictPolicy.decide(aggregate(10, 0.05, ScoreStatus.NO_FACE, 2), p).reasons())
                .doesNotContain("unscored-windows");
    }

    @Test
    void aLongStreamKeepsItsLongestSegments() {
        DecisionPolicy p = POLICY.withRules(0.35, 0.7, 100_000, 0.8);
        VideoAggregate a = new VideoAggregate();
        int i = 0;
        for (int run = 0; run < VerdictAggregator.MAX_SEGMENTS + 10; run++) {
            int length = run == 5 ? 4 : 1; // one long run among single-window ones
            for (int k = 0; k < length; k++) {
                VerdictAggregator.add(a, window(i++, ScoreStatus.SCORED, 0.9, 2), p);
            }
            VerdictAggregator.add(a, window(i++, ScoreStatus.SCORED, 0.1, 2), p);
        }
        Segment[] s = VerdictAggregator.segments(a);
        assertThat(s).hasSize(VerdictAggregator.MAX_SEGMENTS);
        assertThat(s).extracting(Segment::windows).contains(4L);
        // a video ending inside a run: the open run is held to the same cap and the same keep-the-longest rule
        VerdictAggregator.add(a, window(i++, ScoreStatus.SCORED, 0.9, 2), p);
        assertThat(VerdictAggregator.segments(a)).containsExactly(s);
        for (int k = 0; k < 5; k++) {
            VerdictAggregator.add(a, window(i++, ScoreStatus.SCORED, 0.9, 2), p);
        }
        Segment[] open = VerdictAggregator.segments(a);
        assertThat(open).hasSize(VerdictAggregator.MAX_SEGMENTS);
        assertThat(open[open.length - 1].windows()).isEqualTo(6L);
        assertThat(open).extracting(Segment::windows).contains(4L);
        assertThat(open).extracting(Segment::startMs).isSorted();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "offset {0} frames -> {1}")
    @org.junit.jupiter.params.provider.CsvSource({"5, FAKE", "-5, FAKE", "4, REAL", "-4, REAL", "10, FAKE"})
    void anOffsetBeyondTheLimitIsADesyncWhateverTheScores(int frames, Label label) {
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < 6; i++) {
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, 0.1, frames), POLICY); // scores say REAL
        }
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, POLICY); // limit 200 ms = 5 frames at 25 fps
        assertThat(d.label()).isEqualTo(label);
        if (label == Label.FAKE) {
            assertThat(d.reasons()).containsExactly("av-offset");
            assertThat(d.confidence()).isBetween(0.5, 1.0);
            // at the limit over six windows: a lead (MEDIUM); twice the limit: HIGH
            assertThat(d.risk()).isEqualTo(Math.abs(frames) >= 10 ? RiskLevel.HIGH : RiskLevel.MEDIUM);
        }
        assertThat(d.syncConfidence()).as("a one-hot average curve: peak 1 minus median 0").isEqualTo(1.0);
        assertThat(VerdictPolicy.decide(a, POLICY.withMaxOffsetMs(1000)).label()).isEqualTo(Label.REAL);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "offset {0} frames -> {1}")
    @org.junit.jupiter.params.provider.CsvSource({"4, REAL", "5, FAKE", "-2, REAL", "-3, FAKE", "-5, FAKE"})
    void audioAheadOfThePictureHasItsOwnTighterLimit(int frames, Label label) {
        DecisionPolicy p = POLICY.withOffsetLimits(200, 90); // audio 90 ms early (< 3 frames) or 200 ms late
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < 6; i++) {
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, 0.1, frames), p);
        }
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, p);
        assertThat(d.label()).isEqualTo(label);
        if (label == Label.FAKE) {
            assertThat(d.reasons()).containsExactly("av-offset");
            Verdict v = VerdictAggregator.build("v", VerdictKind.FINAL, a, p, new ModelRef("m", "1"), 0L);
            assertThat(v.explanation())
                    .contains(frames < 0 ? "earlier" : "later").contains(frames < 0 ? "the 90 ms" : "the 200 ms")
                    .doesNotContain("line up"); // -120 ms is inside the model's tolerance, yet past the lead limit
            assertThat(VerdictQuestions.answer(v, "offset", p)).doesNotContain("line up");
        }
    }

    @Test
    void aRollingVerdictWaitsForItsOwnEvidenceFloorWhileAFinalOneDecides() {
        DecisionPolicy p = POLICY.withMinRollingWindows(12);
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < 5; i++) {
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, 0.9, 8), p); // 320 ms late, scores say FAKE
        }
        assertThat(VerdictPolicy.decide(a, p).label()).isEqualTo(Label.FAKE);
        VerdictPolicy.Decision early = VerdictPolicy.decide(a, p, true);
        assertThat(early.label()).isEqualTo(Label.UNCERTAIN);
        assertThat(early.reasons()).containsExactly("early");
        assertThat(early.confidence()).isZero();
        assertThat(early.risk()).as("it leans fake").isEqualTo(RiskLevel.MEDIUM);
        assertThat(early.offsetMs()).isEqualTo(320.0); // the metrics of what it has
        Verdict v = VerdictAggregator.build("v", VerdictKind.ROLLING, a, p, new ModelRef("m", "1"), 0L);
        assertThat(v.explanation()).contains("Too early to decide").contains("waits for 12 scored windows and has 5");
        for (int i = 5; i < 12; i++) {
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, 0.9, 8), p);
        }
        assertThat(VerdictPolicy.decide(a, p, true).label()).isEqualTo(Label.FAKE);
        // below the final floor a rolling verdict says what a final one would: not enough evidence
        VideoAggregate two = new VideoAggregate();
        VerdictAggregator.add(two, window(0, ScoreStatus.SCORED, 0.9, 8), p);
        VerdictAggregator.add(two, window(1, ScoreStatus.SCORED, 0.9, 8), p);
        assertThat(VerdictPolicy.decide(two, p, true).reasons()).containsExactly("insufficient-evidence");
    }

    @Test
    void anAverageOffsetThatFewWindowsShareIsNoDesync() {
        VideoAggregate a = new VideoAggregate();
        // two windows peak strongly at +8 (320 ms), three weakly at 0: the sum peaks at +8, but most windows do not
        for (int i = 0; i < 5; i++) {
            float[] curve = new float[31];
            curve[15 + (i < 2 ? 8 : 0)] = i < 2 ? 1f : 0.3f;
            VerdictAggregator.add(a, new ScoredWindow("v", WindowKind.WINDOW, i, i * 400L, i * 400L + 2000,
                    ScoreStatus.SCORED, 0.1, i < 2 ? 8 : 0, 0.5, curve, 1, 1, 0, true, null, 0), POLICY);
        }
        assertThat(VerdictPolicy.offsetMs(a, POLICY)).isEqualTo(320.0);
        VerdictPolicy.Decision d = VerdictPolicy.decide(a, POLICY);
        assertThat(d.reasons()).doesNotContain("av-offset");
        assertThat(d.label()).isEqualTo(Label.REAL); // the scores decide
        // a third window at +8 makes it most of them
        float[] curve = new float[31];
        curve[23] = 1f;
        VerdictAggregator.add(a, new ScoredWindow("v", WindowKind.WINDOW, 5, 2000, 4000, ScoreStatus.SCORED, 0.1, 8,
                0.5, curve, 1, 1, 0, true, null, 0), POLICY);
        assertThat(VerdictPolicy.decide(a, POLICY).reasons()).containsExactly("av-offset");
    }

    @Test
    void offsetIsReadFromTheSmoothedCurveWhenTheManifestSaysSo() {
        VideoAggregate a = new VideoAggregate();
        // two windows peak at -1, four around +3: the raw sum ties -1 with +3 (the first wins), the hump is at +3
        int[] lags = {-1, -1, 2, 3, 3, 4};
        for (int i = 0; i < lags.length; i++) {
            VerdictAggregator.add(a, window(i, ScoreStatus.SCORED, 0.1, lags[i]), POLICY);
        }
        assertThat(VerdictPolicy.offsetMs(a, POLICY)).isEqualTo(-40.0);
        assertThat(VerdictPolicy.offsetMs(a, POLICY.withOffsetSmoothing(2))).isEqualTo(120.0);
    }

    @Test
    void offsetSpreadIsTheStandardDeviationOfWindowOffsetsInMs() {
        VideoAggregate a = new VideoAggregate();
        VerdictAggregator.add(a, window(0, ScoreStatus.SCORED, 0.9, 1), POLICY);
        VerdictAggregator.add(a, window(1, ScoreStatus.SCORED, 0.9, 3), POLICY);
        VerdictAggregator.add(a, window(2, ScoreStatus.SCORED, 0.9, 1), POLICY);
        VerdictAggregator.add(a, window(3, ScoreStatus.SCORED, 0.9, 3), POLICY);
        assertThat(VerdictPolicy.decide(a, POLICY).offsetSpreadMs()).isEqualTo(40.0); // 1 frame at 25 fps
    }

    static double round3(double x) {
        return Math.round(x * 1000.0) / 1000.0;
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
        VerdictAggregator.add(a, window(9, ScoreStatus.SCORED, 0.9, -6), POLICY); // one outlier cannot move it
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
    void aVideoClosedByAModelChangeSaysSoWhateverItsEvidence() {
        VideoAggregate a = aggregate(10, 0.9, ScoreStatus.NO_FACE, 0);
        a.endReason = "model-changed";
        assertThat(VerdictPolicy.decide(a, POLICY).reasons()).contains("model-changed");
        VideoAggregate none = new VideoAggregate();
        none.endReason = "model-changed";
        assertThat(VerdictPolicy.decide(none, POLICY).reasons())
                .containsExactly("model-changed", "insufficient-evidence");
        Verdict v = VerdictAggregator.build("v", VerdictKind.FINAL, a, POLICY, new ModelRef("m", "1"), 42L);
        assertThat(VerdictExplanation.of(v, POLICY)).contains("restored with a model of another window geometry");
    }

    @Test
    void verdictCarriesStatisticsAndCounts() {
        VideoAggregate a = aggregate(4, 0.8, ScoreStatus.SILENT, 2);
        Verdict v = VerdictAggregator.build("v", VerdictKind.FINAL, a, POLICY, new ModelRef("m", "1"), 42L);
        assertThat(v.score().count()).isEqualTo(4);
        assertThat(v.score().mean()).isEqualTo(0.8);
        assertThat(v.windows()).isEqualTo(new WindowCounts(6, 4, 0, 2, 0, 0, 0, 0, 0));
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
            VerdictAggregator.add(shifted, window(i, ScoreStatus.SCORED, 0.1, 8), POLICY);
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
