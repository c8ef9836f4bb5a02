package io.lipsyncguard.job.verdict;

import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.models.SyncBaselineFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * The documented decision rules, as a pure function of a video's aggregate, applied in this order:
 * <ol>
 *   <li>fewer scored windows than the minimum → UNCERTAIN, naming the missing evidence;</li>
 *   <li>an estimated audio-video offset of at least the manifest's {@code maxOffsetMs} (audio later) or
 *       {@code maxAudioLeadMs} (audio earlier), with at least half the scored windows beyond that limit on their own
 *       → FAKE ({@code av-offset}): the video is desynchronised whatever the score says;</li>
 *   <li>a contiguous suspicious segment at least the manifest's length → FAKE ({@code localized-manipulation}), even
 *       when clean parts dilute the overall score;</li>
 *   <li>window scores spread more than the manifest's limit → UNCERTAIN ({@code windows-disagree});</li>
 *   <li>decision score at least threshold+band → FAKE; at most threshold−band → REAL; in between → UNCERTAIN
 *       ({@code score-near-threshold}).</li>
 * </ol>
 * The decision score is the video-level read-out of the average lag curve when the model gives curves and its
 * manifest calibrates that read-out (averaging the curves first keeps one lag's evidence across windows, which
 * averaging window probabilities throws away), else the mean window score.
 */
public final class VerdictPolicy {

    /**
     * A decision and the metrics it rests on.
     *
     * @param label REAL, FAKE or UNCERTAIN
     * @param confidence how sure the label is, 0..1
     * @param risk LOW, MEDIUM or HIGH
     * @param reasons reason codes
     * @param offsetMs offset estimate (null without scored windows)
     * @param videoScore video-level read-out (null without one)
     * @param misalignment share of scored windows at or above the threshold (null without scored windows)
     * @param stability 1 − 2·(standard deviation of window scores): 1 when windows agree (null without scored windows)
     * @param offsetSpreadMs standard deviation of the windows' offsets in ms (null without scored windows)
     * @param syncConfidence maximum minus median of the average lag curve (null without one)
     * @param segments suspicious segments in media order
     */
    public record Decision(Label label, double confidence, RiskLevel risk, List<String> reasons, Double offsetMs,
            Double videoScore, Double misalignment, Double stability, Double offsetSpreadMs, Double syncConfidence,
            Segment[] segments) {}

    private VerdictPolicy() {}

    public static Decision decide(VideoAggregate a, DecisionPolicy p) {
        return decide(a, p, false);
    }

    /**
     * As {@link #decide(VideoAggregate, DecisionPolicy)}; a ROLLING verdict ({@code rolling}) with fewer scored windows
     * than the manifest's {@code minRollingWindows} is UNCERTAIN ({@code early}), with the metrics of what it has: a
     * few windows of a real stream say FAKE too often to raise an alarm on, and the stream can wait for more.
     */
    public static Decision decide(VideoAggregate a, DecisionPolicy p, boolean rolling) {
        Double offsetMs = offsetMs(a, p);
        Double videoScore = videoScore(a, p);
        Segment[] segments = VerdictAggregator.segments(a);
        Double misalignment = a.scored == 0 ? null : round((double) a.aboveThreshold / a.scored);
        double std = a.scored == 0 ? 0 : Math.sqrt(Math.max(0, a.m2 / a.scored));
        Double stability = a.scored == 0 ? null : round(Math.max(0, 1 - 2 * std));
        Double spread = a.scored == 0 || !p.givesOffsets() ? null
                : (double) Math.round(Math.sqrt(Math.max(0, a.offsetM2 / a.scored)) * 1000.0 / p.fps());
        List<String> reasons = new ArrayList<>();
        if ("idle".equals(a.endReason)) {
            reasons.add("idle"); // the stream stopped without its last chunk: the verdict covers what arrived
        }
        if ("model-changed".equals(a.endReason)) {
            reasons.add("model-changed"); // closed at a restore with another model: it covers what came before
        }
        if (!rolling && a.ended && a.windowsSeen < a.expectedWindows) {
            // windows the decoder cut that did not come within the wait after the END: the verdict covers the rest
            reasons.add("missing-windows");
        }
        if (a.unscored > 0) {
            // the model failed or timed out on some windows: said on every verdict, not only when too few were left,
            // since the FINAL cannot be revised once the model is back
            reasons.add("unscored-windows");
        }
        Label label;
        double confidence;
        boolean runBacked = false;
        // decided on the score as the verdict reports it (3 decimals), so that a consumer, `evaluate` or the
        // explanation comparing the reported score with the threshold draws the same line
        double mean = videoScore != null ? videoScore : round(a.mean);
        Segment longest = longest(segments);
        boolean longRun = longest != null && longest.durationMs() >= p.segmentMinMs();
        if (a.scored < p.minEvidenceWindows()) {
            if (a.endReason != null && !reasons.contains(a.endReason)) {
                reasons.add(a.endReason);
            }
            String missing = dominantMissing(a);
            if (missing != null && !reasons.contains(missing)) {
                reasons.add(missing);
            }
            reasons.add("insufficient-evidence");
            label = Label.UNCERTAIN;
            confidence = 0.0;
        } else if (offsetMs != null && Math.abs(offsetMs) >= p.offsetLimitFor(offsetMs)
                && 2 * (offsetMs > 0 ? a.offsetLate : a.offsetEarly) >= a.scored) {
            reasons.add("av-offset");
            label = Label.FAKE;
            double limit = p.offsetLimitFor(offsetMs);
            double beyond = Math.min(1.0, (Math.abs(offsetMs) - limit) / limit);
            double n = a.scored;
            confidence = round(0.5 + 0.5 * Math.max(beyond, 0.5) * (n / (n + 2.0)));
        } else if (longRun && (belowFakeBandEdge(mean, p) || std > p.maxWindowStd())) {
            // a long run in a video the mean does not call FAKE, or whose clean stretches make the windows disagree:
            // part of it is manipulated (a run that more fake windows made longer must not read as UNCERTAIN)
            reasons.add("localized-manipulation");
            label = Label.FAKE;
            confidence = runConfidence(longest, p);
        } else if (std > p.maxWindowStd()) {
            reasons.add("windows-disagree");
            label = Label.UNCERTAIN;
            // how clearly uncertain: just past the limit 0.5, at twice the limit 1
            confidence = round(0.5 + 0.5 * Math.min(1.0, (std - p.maxWindowStd()) / p.maxWindowStd()));
        } else {
            double margin = Math.abs(mean - p.threshold());
            if (margin + BAND_EDGE_SLACK < p.band()) { // the band edge itself is decisive
                reasons.add("score-near-threshold");
                label = Label.UNCERTAIN;
                confidence = round(1.0 - margin / p.band());
            } else {
                double room = mean >= p.threshold() ? 1.0 - p.threshold() : p.threshold();
                double strength = Math.min(1.0, margin / Math.max(1e-9, room));
                double n = a.scored;
                label = mean >= p.threshold() ? Label.FAKE : Label.REAL;
                confidence = round(0.5 + 0.5 * strength * (n / (n + 2.0)));
                if (label == Label.FAKE && longRun) {
                    // FAKE as a whole and with a long run: at least as sure, and as high a risk, as the run alone
                    // makes it; a video whose clean part scores more fake must not come out less alarming
                    confidence = Math.max(confidence, runConfidence(longest, p));
                    runBacked = true;
                }
            }
        }
        if (rolling && a.scored >= p.minEvidenceWindows() && a.scored < p.minRollingWindows()) {
            reasons.removeIf(r -> !"idle".equals(r) && !"unscored-windows".equals(r));
            reasons.add("early");
            label = Label.UNCERTAIN;
            confidence = 0.0;
        }
        RiskLevel risk = runBacked && label == Label.FAKE ? RiskLevel.HIGH
                : risk(label, confidence, reasons, a.scored == 0 ? null : mean, misalignment, p);
        Double syncConfidence = null;
        if (a.scored > 0 && p.givesOffsets() && a.curveSum.length == 2 * p.marginFrames() + 1) {
            float[] average = new float[a.curveSum.length];
            for (int i = 0; i < average.length; i++) {
                average[i] = (float) (a.curveSum[i] / (double) a.scored);
            }
            syncConfidence = round(SyncBaselineFeatures.confidence(average));
        }
        return new Decision(label, confidence, risk, reasons, offsetMs, videoScore, misalignment, stability, spread,
                syncConfidence, segments);
    }

    /**
     * HIGH: FAKE with confidence at least the manifest's high-risk level (an {@code av-offset} FAKE too), or a localized
     * manipulation. MEDIUM: any
     * other FAKE, or UNCERTAIN leaning fake (decision score at or above the threshold, or half the windows above it).
     * LOW: REAL, and UNCERTAIN without a lean to fake.
     */
    static RiskLevel risk(Label label, double confidence, List<String> reasons, Double score, Double misalignment,
            DecisionPolicy p) {
        if (label == Label.FAKE) {
            // an offset FAKE is as sure as its confidence says (it grows with the offset and the windows behind it):
            // a marginal offset over a few windows is a lead, not a HIGH-risk finding
            return confidence >= p.highRiskConfidence() || reasons.contains("localized-manipulation")
                    ? RiskLevel.HIGH : RiskLevel.MEDIUM;
        }
        if (label == Label.UNCERTAIN && ((score != null && score >= p.threshold())
                || (misalignment != null && misalignment >= 0.5))) {
            return RiskLevel.MEDIUM;
        }
        return RiskLevel.LOW;
    }

    /**
     * How far inside the uncertain band a score must be to count as in it: the band edge itself is decisive, whatever
     * the float rounding of the threshold and band (0.2 + 0.1 is 0.30000000000000004).
     */
    static final double BAND_EDGE_SLACK = 1e-9;

    /** Whether {@code score} stays short of the band's fake edge, threshold + band: the mean alone does not say FAKE. */
    static boolean belowFakeBandEdge(double score, DecisionPolicy p) {
        return score + BAND_EDGE_SLACK < p.threshold() + p.band();
    }

    /** The confidence a long suspicious run gives: it follows the run's mean score and its length. */
    private static double runConfidence(Segment longest, DecisionPolicy p) {
        double room = Math.max(1e-9, 1.0 - p.suspiciousScore());
        double strength = Math.min(1.0, Math.max(0, longest.meanScore() - p.suspiciousScore()) / room);
        double n = longest.windows();
        return round(0.5 + 0.5 * Math.max(strength, 0.5) * (n / (n + 2.0)));
    }

    static Segment longest(Segment[] segments) {
        Segment best = null;
        for (Segment s : segments) {
            if (best == null || s.durationMs() > best.durationMs()) {
                best = s;
            }
        }
        return best;
    }

    /** The evidence class that removed the most windows, as a reason code, or null when none was removed. */
    static String dominantMissing(VideoAggregate a) {
        long[] counts = {a.noFace, a.silent, a.multiFace, a.lowQuality, a.audioDropout, a.frozenPicture, a.unscored};
        String[] codes = {"no-face", "silence", "multiple-faces", "low-quality", "audio-dropout", "frozen-picture",
            "unscored-windows"};
        int best = -1;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && (best < 0 || counts[i] > counts[best])) {
                best = i;
            }
        }
        return best < 0 ? null : codes[best];
    }

    /**
     * Offset in ms at the peak of the summed lag curve (a stable per-video estimate: one noisy window cannot move
     * it), smoothed as the manifest says, or the mean per-window offset when the model gives no curve. Positive: audio
     * later than the lips.
     */
    public static Double offsetMs(VideoAggregate a, DecisionPolicy p) {
        if (a.scored == 0 || !p.givesOffsets()) {
            return null;
        }
        double frames;
        if (a.curveSum.length == 2 * p.marginFrames() + 1) {
            // the peak ignores the 1/n scale of the sum
            frames = SyncBaselineFeatures.smoothedOffset(a.curveSum, p.marginFrames(), p.offsetSmoothingFrames());
        } else {
            frames = a.offsetMean;
        }
        return (double) Math.round(frames * 1000.0 / p.fps());
    }

    /**
     * A scored window's own offset in ms: the peak of its curve, smoothed as the video's is, or the model's offset
     * output when it gives no curve. A constant desynchronisation shows in most windows; the peak of an average that
     * only a few windows pull beyond the limit is chance.
     */
    static double windowOffsetMs(ScoredWindow w, DecisionPolicy p) {
        float[] c = w.curve();
        double frames = c.length == 2 * p.marginFrames() + 1
                ? SyncBaselineFeatures.smoothedOffset(c, p.marginFrames(), p.offsetSmoothingFrames())
                : w.offsetFrames();
        return Math.round(frames * 1000.0 / p.fps());
    }

    /**
     * Video-level desync probability: the manifest's video read-out applied to the average of the scored windows' lag
     * curves; null when there is no curve or no such calibration.
     */
    public static Double videoScore(VideoAggregate a, DecisionPolicy p) {
        int k = p.marginFrames();
        if (a.scored == 0 || !p.hasVideoReadout() || a.curveSum.length != 2 * k + 1) {
            return null;
        }
        double[] f = curveFeatures(a.curveSum, a.scored, k, p.toleranceFrames());
        double z = p.videoBias() + p.videoWeightGap() * f[0] + p.videoWeightPeak() * f[1];
        return round(1.0 / (1.0 + Math.exp(-z)));
    }

    /** [best off-sync − best in-sync, best in-sync] correlation of the average curve {@code sum / n}. */
    public static double[] curveFeatures(float[] sum, long n, int k, int tol) {
        float[] mean = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
            mean[i] = (float) (sum[i] / (double) n);
        }
        return SyncBaselineFeatures.features(mean, k, tol);
    }

    static double round(double x) {
        return Math.round(x * 1000.0) / 1000.0;
    }
}
