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
 */
public record DecisionPolicy(double threshold, double band, int minEvidenceWindows, int fps, int marginFrames,
        int toleranceFrames, double videoBias, double videoWeightGap, double videoWeightPeak)
        implements Serializable {

    /** A policy that decides on the mean window score only. */
    public DecisionPolicy(double threshold, double band, int minEvidenceWindows, int fps, int marginFrames) {
        this(threshold, band, minEvidenceWindows, fps, marginFrames, 3, Double.NaN, Double.NaN, Double.NaN);
    }

    public static DecisionPolicy fromManifest(ModelManifest m) {
        Thresholds t = m.thresholds();
        return new DecisionPolicy(t.decision(), t.uncertainBand(), t.minEvidenceWindows(), m.preprocessing().fps(),
                m.preprocessing().offsetMarginFrames(), (int) m.calibrationNumber("toleranceFrames", 3),
                m.calibrationNumber("videoBias", Double.NaN), m.calibrationNumber("videoWeightGap", Double.NaN),
                m.calibrationNumber("videoWeightPeak", Double.NaN));
    }

    public boolean hasVideoReadout() {
        return !Double.isNaN(videoBias) && !Double.isNaN(videoWeightGap) && !Double.isNaN(videoWeightPeak);
    }
}
