package io.lipsyncguard.job.verdict;

import io.lipsyncguard.models.SyncBaselineFeatures;
import java.util.ArrayList;
import java.util.List;

/**
 * The documented decision rules, as a pure function of a video's aggregate: too little evidence → UNCERTAIN with the
 * missing evidence named; decision score at least threshold+band → FAKE; at most threshold−band → REAL; in between →
 * UNCERTAIN. The decision score is the video-level read-out of the average lag curve when the model gives curves and
 * its manifest calibrates that read-out (averaging the curves first keeps one lag's evidence across windows, which
 * averaging window probabilities throws away), else the mean window score.
 */
public final class VerdictPolicy {

    /** A decision: label, confidence in it, reason codes, and the offset estimate (null without scored windows). */
    public record Decision(Label label, double confidence, List<String> reasons, Double offsetMs, Double videoScore) {}

    private VerdictPolicy() {}

    public static Decision decide(VideoAggregate a, DecisionPolicy p) {
        Double offsetMs = offsetMs(a, p);
        Double videoScore = videoScore(a, p);
        List<String> reasons = new ArrayList<>();
        if ("idle".equals(a.endReason)) {
            reasons.add("idle"); // the stream stopped without its last chunk: the verdict covers what arrived
        }
        if (a.scored < p.minEvidenceWindows()) {
            if (a.endReason != null && !reasons.contains(a.endReason)) {
                reasons.add(a.endReason);
            }
            String missing = dominantMissing(a);
            if (missing != null && !reasons.contains(missing)) {
                reasons.add(missing);
            }
            reasons.add("insufficient-evidence");
            return new Decision(Label.UNCERTAIN, 0.0, reasons, offsetMs, videoScore);
        }
        double mean = videoScore != null ? videoScore : a.mean;
        double margin = Math.abs(mean - p.threshold());
        if (margin + 1e-9 < p.band()) { // the band edge itself is decisive, whatever the float rounding
            reasons.add("score-near-threshold");
            return new Decision(Label.UNCERTAIN, round(1.0 - margin / p.band()), reasons, offsetMs, videoScore);
        }
        double room = mean >= p.threshold() ? 1.0 - p.threshold() : p.threshold();
        double strength = Math.min(1.0, margin / Math.max(1e-9, room));
        double n = a.scored;
        double confidence = 0.5 + 0.5 * strength * (n / (n + 2.0));
        return new Decision(mean >= p.threshold() ? Label.FAKE : Label.REAL, round(confidence), reasons, offsetMs,
                videoScore);
    }

    /** The evidence class that removed the most windows, as a reason code, or null when none was removed. */
    static String dominantMissing(VideoAggregate a) {
        long[] counts = {a.noFace, a.silent, a.multiFace, a.unscored};
        String[] codes = {"no-face", "silence", "multiple-faces", "unscored-windows"};
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
     * it), or the mean per-window offset when the model gives no curve. Positive: audio later than the lips.
     */
    public static Double offsetMs(VideoAggregate a, DecisionPolicy p) {
        if (a.scored == 0) {
            return null;
        }
        double frames;
        if (a.curveSum.length == 2 * p.marginFrames() + 1) {
            frames = SyncBaselineFeatures.offset(a.curveSum, p.marginFrames()); // argmax ignores the 1/n scale
        } else {
            frames = a.offsetFramesSum / a.scored;
        }
        return (double) Math.round(frames * 1000.0 / p.fps());
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
