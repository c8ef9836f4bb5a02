package io.lipsyncguard.job.media;

/**
 * The mel spectrogram LipFD draws: {@code librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=22050),
 * ref=np.min)} with librosa 0.10's defaults, restated exactly: centred frames (1024 zeros of padding each side), a
 * periodic Hann window of 2048, hop 512, power spectrum, 128 Slaney-scale mel filters with Slaney area normalisation
 * over 0..sr/2 (float32 weights, as librosa builds them), then dB relative to the minimum (amin 1e-10) clipped 80 dB
 * below the maximum. Rows are mel bands (row 0 = lowest), columns are frames. See
 * {@code models/lipfd/reference_preprocessing.py}, the Python reference the parity test compares with.
 */
public final class LibrosaMel {

    public static final int SAMPLE_RATE = 22_050;
    public static final int N_FFT = 2048;
    public static final int HOP = 512;
    public static final int N_MELS = 128;
    static final double AMIN = 1e-10;
    static final double TOP_DB = 80.0;

    private static final float[][] FILTERS = filters(SAMPLE_RATE, N_FFT, N_MELS);
    private static final double[] WINDOW = new double[N_FFT];
    /** FFT twiddles e^(-2πik/N), k < N/2, computed once rather than in every butterfly of every column. */
    private static final double[] TWIDDLE_COS = new double[N_FFT / 2];
    private static final double[] TWIDDLE_SIN = new double[N_FFT / 2];

    static {
        for (int n = 0; n < N_FFT; n++) {
            WINDOW[n] = 0.5 - 0.5 * Math.cos(2 * Math.PI * n / N_FFT);
        }
        for (int k = 0; k < N_FFT / 2; k++) {
            TWIDDLE_COS[k] = Math.cos(-2 * Math.PI * k / N_FFT);
            TWIDDLE_SIN[k] = Math.sin(-2 * Math.PI * k / N_FFT);
        }
    }

    private LibrosaMel() {}

    /** Power mel spectrogram [128][1 + n/512] of mono samples at 22.05 kHz (float32 values, as librosa returns). */
    public static float[][] melPower(float[] y) {
        int frames = 1 + y.length / HOP;
        long[] centres = new long[frames];
        for (int t = 0; t < frames; t++) {
            centres[t] = (long) t * HOP;
        }
        return melPowerAt(y, centres);
    }

    /**
     * The power mel columns whose STFT frames are centred at the given sample indices of {@code y} (samples outside
     * {@code y} read as zero, librosa's constant padding): a stream computes the columns of one window this way.
     */
    public static float[][] melPowerAt(float[] y, long[] centres) {
        int frames = centres.length;
        int bins = N_FFT / 2 + 1;
        float[][] mel = new float[N_MELS][frames];
        double[] re = new double[N_FFT];
        double[] im = new double[N_FFT];
        float[] power = new float[bins];
        for (int t = 0; t < frames; t++) {
            long start = centres[t] - N_FFT / 2;
            for (int n = 0; n < N_FFT; n++) {
                long s = start + n;
                re[n] = s >= 0 && s < y.length ? y[(int) s] * WINDOW[n] : 0.0;
                im[n] = 0;
            }
            fft(re, im);
            for (int k = 0; k < bins; k++) {
                // librosa keeps the STFT as complex64 and squares its magnitude in float32
                float r = (float) re[k];
                float i = (float) im[k];
                float magnitude = (float) Math.sqrt((double) r * r + (double) i * i);
                power[k] = magnitude * magnitude;
            }
            for (int m = 0; m < N_MELS; m++) {
                double sum = 0;
                float[] w = FILTERS[m];
                for (int k = 0; k < bins; k++) {
                    sum += (double) w[k] * power[k];
                }
                mel[m][t] = (float) sum;
            }
        }
        return mel;
    }

    /** power_to_db(S, ref=np.min, amin=1e-10, top_db=80). */
    public static float[][] powerToDbRefMin(float[][] s) {
        float min = Float.MAX_VALUE;
        for (float[] row : s) {
            for (float v : row) {
                min = Math.min(min, v);
            }
        }
        double ref = 10.0 * Math.log10(Math.max(AMIN, min));
        float[][] out = new float[s.length][];
        float max = -Float.MAX_VALUE;
        for (int m = 0; m < s.length; m++) {
            out[m] = new float[s[m].length];
            for (int t = 0; t < s[m].length; t++) {
                out[m][t] = (float) (10.0 * Math.log10(Math.max(AMIN, s[m][t])) - ref);
                max = Math.max(max, out[m][t]);
            }
        }
        float floor = (float) (max - TOP_DB);
        for (float[] row : out) {
            for (int t = 0; t < row.length; t++) {
                row[t] = Math.max(row[t], floor);
            }
        }
        return out;
    }

    /** librosa.filters.mel(sr, n_fft, n_mels) with htk=False and norm="slaney", in float32. */
    static float[][] filters(int sr, int nFft, int nMels) {
        int bins = nFft / 2 + 1;
        double[] fft = new double[bins];
        for (int k = 0; k < bins; k++) {
            fft[k] = (double) k * (sr / 2.0) / (bins - 1);
        }
        double minMel = hzToMel(0);
        double maxMel = hzToMel(sr / 2.0);
        double[] melF = new double[nMels + 2];
        for (int i = 0; i < melF.length; i++) {
            melF[i] = melToHz(minMel + (maxMel - minMel) * i / (nMels + 1));
        }
        float[][] w = new float[nMels][bins];
        for (int i = 0; i < nMels; i++) {
            double lowerDiff = melF[i + 1] - melF[i];
            double upperDiff = melF[i + 2] - melF[i + 1];
            double enorm = 2.0 / (melF[i + 2] - melF[i]);
            for (int k = 0; k < bins; k++) {
                double lower = -(melF[i] - fft[k]) / lowerDiff;
                double upper = (melF[i + 2] - fft[k]) / upperDiff;
                // librosa stores the triangles in a float32 array, then scales them in place by the float64 norm
                float triangle = (float) Math.max(0, Math.min(lower, upper));
                w[i][k] = (float) (triangle * enorm);
            }
        }
        return w;
    }

    /** Slaney's mel scale: linear below 1 kHz, logarithmic above. */
    static double hzToMel(double hz) {
        double fSp = 200.0 / 3;
        double minLogHz = 1000.0;
        double minLogMel = minLogHz / fSp;
        double logstep = Math.log(6.4) / 27.0;
        return hz >= minLogHz ? minLogMel + Math.log(hz / minLogHz) / logstep : hz / fSp;
    }

    static double melToHz(double mel) {
        double fSp = 200.0 / 3;
        double minLogHz = 1000.0;
        double minLogMel = minLogHz / fSp;
        double logstep = Math.log(6.4) / 27.0;
        return mel >= minLogMel ? minLogHz * Math.exp(logstep * (mel - minLogMel)) : fSp * mel;
    }

    /** In-place radix-2 FFT of length {@link #N_FFT}. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int step = n / len;
            for (int i = 0; i < n; i += len) {
                for (int k = 0; k < len / 2; k++) {
                    double wr = TWIDDLE_COS[k * step];
                    double wi = TWIDDLE_SIN[k * step];
                    int a = i + k;
                    int b = a + len / 2;
                    double xr = re[b] * wr - im[b] * wi;
                    double xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }
}
