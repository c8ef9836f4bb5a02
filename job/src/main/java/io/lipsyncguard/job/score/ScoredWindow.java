package io.lipsyncguard.job.score;

import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.WindowKind;
import java.util.Arrays;
import java.util.Objects;

/**
 * A window after scoring (or the reason it was not scored), or a passed-through END/ERROR event of its video.
 *
 * @param score desync/fake probability in [0,1]; NaN unless SCORED
 * @param offsetFrames best lag in video frames (positive: audio later); 0 unless SCORED
 * @param syncConfidence curve peak minus median; NaN unless SCORED
 * @param curve per-lag correlation (index = lag + K); empty unless SCORED and the model gives one
 * @param errors END: how many ERROR events of the video came before it from the decoder ({@link AvWindow#errors()})
 */
public record ScoredWindow(
        String videoId,
        WindowKind kind,
        long index,
        long startMs,
        long endMs,
        ScoreStatus status,
        double score,
        double offsetFrames,
        double syncConfidence,
        float[] curve,
        double faceFraction,
        double speechFraction,
        double multiFaceFraction,
        boolean hasAudio,
        String reason,
        long producedAtMs,
        long errors) {

    /** A window or an ERROR event: no error count. */
    public ScoredWindow(String videoId, WindowKind kind, long index, long startMs, long endMs, ScoreStatus status,
            double score, double offsetFrames, double syncConfidence, float[] curve, double faceFraction,
            double speechFraction, double multiFaceFraction, boolean hasAudio, String reason, long producedAtMs) {
        this(videoId, kind, index, startMs, endMs, status, score, offsetFrames, syncConfidence, curve, faceFraction,
                speechFraction, multiFaceFraction, hasAudio, reason, producedAtMs, 0);
    }

    /** A window or control event that carries no model output. */
    public static ScoredWindow unscored(AvWindow w, ScoreStatus status, String reason) {
        return new ScoredWindow(w.videoId(), w.kind(), w.index(), w.startMs(), w.endMs(), status, Double.NaN, 0,
                Double.NaN, new float[0], w.faceFraction(), w.speechFraction(), w.multiFaceFraction(), w.hasAudio(),
                reason != null ? reason : w.reason(), w.producedAtMs(), w.errors());
    }

    /**
     * The window with the model's result; FAILED instead when the result is not a usable number (a NaN from an fp16
     * overflow would otherwise poison the video's running mean, and a NaN mean reads as REAL).
     */
    public static ScoredWindow scored(AvWindow w, WindowResult r) {
        String problem = unusable(r);
        if (problem != null) {
            return unscored(w, ScoreStatus.FAILED, "model output unusable: " + problem);
        }
        return new ScoredWindow(w.videoId(), w.kind(), w.index(), w.startMs(), w.endMs(), ScoreStatus.SCORED,
                r.score(), r.offsetFrames(), r.syncConfidence(), r.curve(), w.faceFraction(), w.speechFraction(),
                w.multiFaceFraction(), w.hasAudio(), null, w.producedAtMs());
    }

    /**
     * What makes a model result unusable, or null: a probability outside [0, 1], a non-finite offset, or a curve value
     * that is not finite or beyond {@link #MAX_CURVE_VALUE}.
     */
    static String unusable(WindowResult r) {
        if (!(r.score() >= 0 && r.score() <= 1)) {
            return "probability " + r.score();
        }
        if (!Double.isFinite(r.offsetFrames())) {
            return "offset " + r.offsetFrames();
        }
        if (Double.isInfinite(r.syncConfidence())) {
            return "sync confidence " + r.syncConfidence(); // NaN: the model gives none
        }
        for (float c : r.curve()) {
            if (!Float.isFinite(c) || Math.abs(c) > MAX_CURVE_VALUE) {
                return "lag curve value " + c;
            }
        }
        return null;
    }

    /**
     * Largest lag-curve value taken as a measurement (correlations lie in [-1, 1], embedding distances in tens): the
     * video sums its windows' curves in floats, and two values near the float limit would make the sum infinite, the
     * video's score NaN, and NaN reads as REAL.
     */
    static final float MAX_CURVE_VALUE = 1e6f;

    public boolean isScored() {
        return status == ScoreStatus.SCORED;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ScoredWindow w)) {
            return false;
        }
        return index == w.index && startMs == w.startMs && endMs == w.endMs && status == w.status
                && Double.compare(score, w.score) == 0 && Double.compare(offsetFrames, w.offsetFrames) == 0
                && Double.compare(syncConfidence, w.syncConfidence) == 0 && Arrays.equals(curve, w.curve)
                && errors == w.errors && Objects.equals(videoId, w.videoId) && kind == w.kind
                && Objects.equals(reason, w.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(videoId, kind, index, status, score);
    }

    @Override
    public String toString() {
        return "ScoredWindow[" + videoId + " " + kind + " #" + index + " " + status
                + (isScored() ? " score=" + score + " offset=" + offsetFrames : "") + "]";
    }
}
