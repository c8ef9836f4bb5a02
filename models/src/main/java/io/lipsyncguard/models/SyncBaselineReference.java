package io.lipsyncguard.models;

/** Plain-Java implementation of the sync-baseline graph for one window, used to test the ONNX model and to explain it. */
public final class SyncBaselineReference {

    /** Model outputs for one window: lag curve (index i = lag i-K), offset, confidence and desync probability. */
    public record Result(float[] curve, float offsetFrames, float syncConfidence, float desyncProb) {
    }

    private SyncBaselineReference() {
    }

    /**
     * Scores one window. {@code mouth} is [T,H,W] row-major grayscale in [0,1]; {@code audio} is [(T+2K)*M, B]
     * natural-log mel power.
     */
    public static Result score(float[] mouth, float[] audio, SyncBaselineSpec spec) {
        int t = spec.windowFrames();
        int k = spec.offsetMarginFrames();
        int hw = spec.height() * spec.width();
        int padded = spec.paddedFrames();
        int m = spec.melFramesPerVideoFrame();
        int b = spec.nMels();
        if (mouth.length != t * hw) {
            throw new IllegalArgumentException("mouth has " + mouth.length + " values, expected T*H*W = " + t * hw);
        }
        if (audio.length != spec.audioFrames() * b) {
            throw new IllegalArgumentException("audio has " + audio.length + " values, expected (T+2K)*M*B = "
                    + spec.audioFrames() * b);
        }
        double[] v = new double[t - 1];
        for (int f = 0; f < t - 1; f++) {
            double s = 0;
            for (int p = 0; p < hw; p++) {
                s += Math.abs(mouth[(f + 1) * hw + p] - mouth[f * hw + p]);
            }
            v[f] = s / hw;
        }
        double[] e = new double[padded];
        for (int f = 0; f < padded; f++) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += logSumExp(audio, (f * m + j) * b, b);
            }
            e[f] = s / m;
        }
        double[] a = new double[padded - 1];
        for (int j = 0; j < padded - 1; j++) {
            a[j] = SyncBaselineSpec.DELTA.equals(spec.audioSignal()) ? Math.abs(e[j + 1] - e[j]) : e[j + 1];
        }
        double[] vn = normalise(v, 0, t - 1);
        float[] curve = new float[spec.lags()];
        for (int row = 0; row < curve.length; row++) {
            double[] an = normalise(a, row, t - 1);
            double dot = 0;
            for (int i = 0; i < t - 1; i++) {
                dot += an[i] * vn[i];
            }
            curve[row] = (float) dot;
        }
        return new Result(curve, SyncBaselineFeatures.offset(curve, k), (float) SyncBaselineFeatures.confidence(curve),
                (float) SyncBaselineFeatures.probability(curve, spec));
    }

    private static double logSumExp(float[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[from + i]);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(x[from + i] - max);
        }
        return max + Math.log(s);
    }

    /** Centre and scale x[from..from+n) to unit norm, with the graph's epsilon inside the square root. */
    private static double[] normalise(double[] x, int from, int n) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += x[from + i];
        }
        mean /= n;
        double[] c = new double[n];
        double ss = 0;
        for (int i = 0; i < n; i++) {
            c[i] = x[from + i] - mean;
            ss += c[i] * c[i];
        }
        double norm = Math.sqrt(ss + SyncBaselineModelBuilder.EPS);
        for (int i = 0; i < n; i++) {
            c[i] /= norm;
        }
        return c;
    }
}
