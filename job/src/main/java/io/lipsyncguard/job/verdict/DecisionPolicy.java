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
 */
public record DecisionPolicy(double threshold, double band, int minEvidenceWindows, int fps, int marginFrames)
        implements Serializable {

    public static DecisionPolicy fromManifest(ModelManifest m) {
        Thresholds t = m.thresholds();
        return new DecisionPolicy(t.decision(), t.uncertainBand(), t.minEvidenceWindows(), m.preprocessing().fps(),
                m.preprocessing().offsetMarginFrames());
    }
}
