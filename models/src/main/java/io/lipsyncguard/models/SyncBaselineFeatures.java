package io.lipsyncguard.models;

/** Pure read-out helpers on a lag curve (index i = lag i-K) so calibration can recompute probabilities offline. */
public final class SyncBaselineFeatures {

    private SyncBaselineFeatures() {
    }

    /** Max of the curve over lags |L| <= tol. */
    public static double inSyncMax(float[] curve, int k, int tol) {
        checkLength(curve, k, tol);
        double m = Double.NEGATIVE_INFINITY;
        for (int i = k - tol; i <= k + tol; i++) {
            m = Math.max(m, curve[i]);
        }
        return m;
    }

    /** Max of the curve over lags |L| > tol. */
    public static double offSyncMax(float[] curve, int k, int tol) {
        checkLength(curve, k, tol);
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < curve.length; i++) {
            if (Math.abs(i - k) > tol) {
                m = Math.max(m, curve[i]);
            }
        }
        return m;
    }

    /** Logistic features [gap = offMax - inMax, peak = inMax], matching weights [weightGap, weightPeak]. */
    public static double[] features(float[] curve, int k, int tol) {
        double in = inSyncMax(curve, k, tol);
        return new double[]{offSyncMax(curve, k, tol) - in, in};
    }

    /** Desync probability of a curve under the spec's calibration (same formula as the ONNX graph). */
    public static double probability(float[] curve, SyncBaselineSpec spec) {
        double[] f = features(curve, spec.offsetMarginFrames(), spec.toleranceFrames());
        return sigmoid(spec.bias() + spec.weightGap() * f[0] + spec.weightPeak() * f[1]);
    }

    /** Offset in frames: index of the first maximum minus K. */
    public static int offset(float[] curve, int k) {
        int best = 0;
        for (int i = 1; i < curve.length; i++) {
            if (curve[i] > curve[best]) {
                best = i;
            }
        }
        return best - k;
    }

    /**
     * Offset in frames at the peak of the curve smoothed with a triangular kernel of half-width {@code h} (weights
     * h+1−|d|), read only at lags where the whole kernel fits (|lag| ≤ K − h); {@code h = 0} is {@link #offset}.
     * The lag curve of speech is a hump about a syllable wide with one-frame ripples on it, and which ripple is
     * highest changes with which windows went into the average; the smoothed peak is the hump's.
     */
    public static int smoothedOffset(float[] curve, int k, int h) {
        if (h <= 0) {
            return offset(curve, k);
        }
        if (h >= k || curve.length != 2 * k + 1) {
            throw new IllegalArgumentException("need 0 <= h < K and 2K+1 curve values; h=" + h + ", K=" + k
                    + ", length " + curve.length);
        }
        int best = h;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int i = h; i < curve.length - h; i++) {
            double sum = 0;
            for (int d = -h; d <= h; d++) {
                sum += (h + 1 - Math.abs(d)) * (double) curve[i + d];
            }
            if (sum > bestValue) {
                bestValue = sum;
                best = i;
            }
        }
        return best - k;
    }

    /** Max minus median of the curve (median = (K+1)-th largest of 2K+1). */
    public static double confidence(float[] curve) {
        float[] sorted = curve.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length - 1] - sorted[sorted.length / 2];
    }

    public static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    private static void checkLength(float[] curve, int k, int tol) {
        if (curve.length != 2 * k + 1 || tol < 0 || tol >= k) {
            throw new IllegalArgumentException("curve length " + curve.length + " needs 2K+1 with K=" + k
                    + " and 0 <= tol=" + tol + " < K");
        }
    }
}
