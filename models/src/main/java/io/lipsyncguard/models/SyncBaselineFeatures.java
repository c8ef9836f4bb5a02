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
