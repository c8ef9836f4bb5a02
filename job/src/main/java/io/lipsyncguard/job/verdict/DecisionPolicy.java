package io.lipsyncguard.job.verdict;

import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.models.Thresholds;
import java.io.Serializable;

/**
 * The decision thresholds of a model (from its manifest) plus the frame geometry needed to turn lags into ms.
 *
 * @param threshold score at or above which windows lean FAKE
 * @param band half-width of the UNCERTAIN band around the threshold
 * @param minEvidenceWindows fewer scored windows than this give UNCERTAIN
 * @param fps video frame rate of the model's grid
 * @param marginFrames K: the lag curve has 2K+1 entries
 * @param toleranceFrames lags within ±this count as in sync when reading the average curve
 * @param videoBias video-level read-out of the average lag curve: bias (NaN when the manifest has none)
 * @param videoWeightGap weight of (best off-sync − best in-sync correlation) of the average curve
 * @param videoWeightPeak weight of the best in-sync correlation of the average curve
 * @param maxWindowStd standard deviation of window scores above which the windows disagree too much to decide
 * @param suspiciousScore window score at or above which a window belongs to a suspicious segment
 * @param segmentMinMs a contiguous suspicious segment at least this long makes the video FAKE on its own
 * @param highRiskConfidence FAKE verdicts at least this confident are HIGH risk
 * @param givesOffsets whether the model outputs an offset or a lag curve (without one, verdicts carry no offset)
 * @param maxOffsetMs an estimated offset of audio later than the picture by at least this makes the video FAKE
 *     (desynchronised)
 * @param maxAudioLeadMs the same for audio earlier than the picture
 * @param offsetSmoothingFrames half-width of the triangular kernel the average curve is smoothed with for the offset
 * @param minRollingWindows scored windows a ROLLING verdict needs before it decides
 */
public record DecisionPolicy(double threshold, double band, int minEvidenceWindows, int fps, int marginFrames,
        int toleranceFrames, double videoBias, double videoWeightGap, double videoWeightPeak, double maxWindowStd,
        double suspiciousScore, long segmentMinMs, double highRiskConfidence, boolean givesOffsets,
        double maxOffsetMs, double maxAudioLeadMs, int offsetSmoothingFrames, int minRollingWindows)
        implements Serializable {

    /** A policy that decides on the mean window score only, the optional rules at their defaults. */
    public DecisionPolicy(double threshold, double band, int minEvidenceWindows, int fps, int marginFrames) {
        this(threshold, band, minEvidenceWindows, fps, marginFrames, 3, Double.NaN, Double.NaN, Double.NaN);
    }

    /** A policy with a video read-out, the optional rules at their defaults. */
    public DecisionPolicy(double threshold, double band, int minEvidenceWindows, int fps, int marginFrames,
            int toleranceFrames, double videoBias, double videoWeightGap, double videoWeightPeak) {
        this(threshold, band, minEvidenceWindows, fps, marginFrames, toleranceFrames, videoBias, videoWeightGap,
                videoWeightPeak, 0.35, threshold + band, 4000, 0.8, true, 200.0, 200.0, 0,
                minEvidenceWindows);
    }

    public static DecisionPolicy fromManifest(ModelManifest m) {
        Thresholds t = m.thresholds();
        return new DecisionPolicy(t.decision(), t.uncertainBand(), t.minEvidenceWindows(), m.preprocessing().fps(),
                m.preprocessing().offsetMarginFrames(), (int) m.calibrationNumber("toleranceFrames", 3),
                m.calibrationNumber("videoBias", Double.NaN), m.calibrationNumber("videoWeightGap", Double.NaN),
                m.calibrationNumber("videoWeightPeak", Double.NaN), t.windowStdLimit(), t.suspiciousScore(),
                Math.round(t.localizedSegmentSeconds() * 1000), t.highRiskFrom(),
                m.output("offset_frames") != null || m.output("lag_curve") != null
                        || (m.output("video_embedding") != null && m.output("audio_embedding") != null),
                t.offsetLimitMs(), t.audioLeadLimitMs(), t.offsetSmoothing(), t.rollingEvidence());
    }

    public boolean hasVideoReadout() {
        return !Double.isNaN(videoBias) && !Double.isNaN(videoWeightGap) && !Double.isNaN(videoWeightPeak);
    }

    /** This policy with other disagreement, segment and risk rules (for tests and tools). */
    public DecisionPolicy withRules(double windowStd, double suspicious, long segmentMs, double highRisk) {
        return new DecisionPolicy(threshold, band, minEvidenceWindows, fps, marginFrames, toleranceFrames, videoBias,
                videoWeightGap, videoWeightPeak, windowStd, suspicious, segmentMs, highRisk, givesOffsets, maxOffsetMs,
                maxAudioLeadMs, offsetSmoothingFrames, minRollingWindows);
    }

    /** This policy with another offset limit, the same for audio later and earlier (for tests and tools). */
    public DecisionPolicy withMaxOffsetMs(double limit) {
        return withOffsetLimits(limit, limit);
    }

    /** This policy with other offset limits for audio later and audio earlier than the picture. */
    public DecisionPolicy withOffsetLimits(double lateMs, double leadMs) {
        return new DecisionPolicy(threshold, band, minEvidenceWindows, fps, marginFrames, toleranceFrames, videoBias,
                videoWeightGap, videoWeightPeak, maxWindowStd, suspiciousScore, segmentMinMs, highRiskConfidence,
                givesOffsets, lateMs, leadMs, offsetSmoothingFrames, minRollingWindows);
    }

    /** The offset limit on the side of {@code offsetMs}: audio later (positive) or earlier (negative). */
    public double offsetLimitFor(double offsetMs) {
        return offsetMs < 0 ? maxAudioLeadMs : maxOffsetMs;
    }

    /** This policy with another offset smoothing (for tests and tools). */
    public DecisionPolicy withOffsetSmoothing(int halfWidth) {
        return new DecisionPolicy(threshold, band, minEvidenceWindows, fps, marginFrames, toleranceFrames, videoBias,
                videoWeightGap, videoWeightPeak, maxWindowStd, suspiciousScore, segmentMinMs, highRiskConfidence,
                givesOffsets, maxOffsetMs, maxAudioLeadMs, halfWidth, minRollingWindows);
    }

    /** This policy with another evidence floor for ROLLING verdicts (for tests and tools). */
    public DecisionPolicy withMinRollingWindows(int windows) {
        return new DecisionPolicy(threshold, band, minEvidenceWindows, fps, marginFrames, toleranceFrames, videoBias,
                videoWeightGap, videoWeightPeak, maxWindowStd, suspiciousScore, segmentMinMs, highRiskConfidence,
                givesOffsets, maxOffsetMs, maxAudioLeadMs, offsetSmoothingFrames, windows);
    }
}
