package io.lipsyncguard.job.verdict;

import java.util.ArrayList;
import java.util.List;

/**
 * The documented decision rules, as a pure function of a video's aggregate: too little evidence → UNCERTAIN with the
 * missing evidence named; mean score at least threshold+band → FAKE; at most threshold−band → REAL; in between →
 * UNCERTAIN.
 */
public final class VerdictPolicy {

    /** A decision: label, confidence in it, reason codes, and the offset estimate (null without scored windows). */
    public record Decision(Label label, double confidence, List<String> reasons, Double offsetMs) {}

    private VerdictPolicy() {}

    public static Decision decide(VideoAggregate a, DecisionPolicy p) {
        Double offsetMs = offsetMs(a, p);
        List<String> reasons = new ArrayList<>();
        if (a.scored < p.minEvidenceWindows()) {
            if (a.endReason != null) {
                reasons.add(a.endReason);
            }
            String missing = dominantMissing(a);
            if (missing != null && !reasons.contains(missing)) {
                reasons.add(missing);
            }
            reasons.add("insufficient-evidence");
            return new Decision(Label.UNCERTAIN, 0.0, reasons, offsetMs);
        }
        double mean = a.mean;
        double margin = Math.abs(mean - p.threshold());
        if (margin < p.band()) {
            reasons.add("score-near-threshold");
            return new Decision(Label.UNCERTAIN, round(1.0 - margin / p.band()), reasons, offsetMs);
        }
        double room = mean >= p.threshold() ? 1.0 - p.threshold() : p.threshold();
        double strength = Math.min(1.0, margin / Math.max(1e-9, room));
        double n = a.scored;
        double confidence = 0.5 + 0.5 * strength * (n / (n + 2.0));
        return new Decision(mean >= p.threshold() ? Label.FAKE : Label.REAL, round(confidence), reasons, offsetMs);
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
            int best = 0;
            for (int i = 1; i < a.curveSum.length; i++) {
                if (a.curveSum[i] > a.curveSum[best]) {
                    best = i;
                }
            }
            frames = best - p.marginFrames();
        } else {
            frames = a.offsetFramesSum / a.scored;
        }
        return (double) Math.round(frames * 1000.0 / p.fps());
    }

    static double round(double x) {
        return Math.round(x * 1000.0) / 1000.0;
    }
}
