package io.lipsyncguard.job.media;

/**
 * The MFCCs SyncNet was trained on: {@code python_speech_features.mfcc} with its defaults as syncnet_python calls it,
 * restated exactly (see {@code models/syncnet/reference_preprocessing.py}, the Python reference the parity test
 * compares against). 100 frames/s at 16 kHz, 13 coefficients, on int16-scale samples.
 */
public final class SyncNetMfcc {

    public static final int SAMPLE_RATE = 16_000;
    /** 25 ms. */
    public static final int FRAME = 400;
    /** 10 ms: 4 MFCC frames per 25 fps video frame. */
    public static final int STEP = 160;
    public static final int NFFT = 512;
    public static final int FILTERS = 26;
    public static final int COEFFICIENTS = 13;
    static final double PREEMPHASIS = 0.97;
    static final int LIFTER = 22;
    /** numpy's float64 machine epsilon, python_speech_features' stand-in for log(0). */
    static final double EPS = Math.ulp(1.0);

    private static final double[][] FILTERBANK = filterbank();
    private static final double[][] COS = new double[NFFT / 2 + 1][NFFT];
    private static final double[][] SIN = new double[NFFT / 2 + 1][NFFT];
    private static final double[][] DCT = new double[COEFFICIENTS][FILTERS];

    static {
        for (int k = 0; k <= NFFT / 2; k++) {
            for (int n = 0; n < NFFT; n++) {
                double a = 2 * Math.PI * k * n / NFFT;
                COS[k][n] = Math.cos(a);
                SIN[k][n] = Math.sin(a);
            }
        }
        for (int k = 0; k < COEFFICIENTS; k++) {
            double scale = k == 0 ? Math.sqrt(1.0 / FILTERS) : Math.sqrt(2.0 / FILTERS);
            for (int n = 0; n < FILTERS; n++) {
                DCT[k][n] = scale * Math.cos(Math.PI * k * (2 * n + 1) / (2.0 * FILTERS));
            }
        }
    }

    private SyncNetMfcc() {}

    /**
     * MFCCs of 16 kHz samples already on the int16 scale (float samples in [-1, 1] times 32768), as [frames][13]:
     * frame count 1 + ceil((n − 400) / 160), the last frames zero-padded.
     */
    public static double[][] mfcc(float[] samples) {
        int n = samples.length;
        double[] emphasized = new double[n];
        for (int i = 0; i < n; i++) {
            emphasized[i] = i == 0 ? samples[0] : samples[i] - PREEMPHASIS * samples[i - 1];
        }
        int frames = n <= FRAME ? 1 : 1 + (int) Math.ceil((double) (n - FRAME) / STEP);
        double[][] out = new double[frames][COEFFICIENTS];
        double[] frame = new double[FRAME];
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < FRAME; i++) {
                int s = f * STEP + i;
                frame[i] = s < n ? emphasized[s] : 0.0;
            }
            frameCoefficients(frame, out[f]);
        }
        return out;
    }

    /**
     * {@code count} MFCC rows of 13 (as floats) for frames starting at buffer index {@code firstStart} every 160
     * samples, of the first {@code length} float samples in [-1, 1] (scaled to int16 here); samples outside them read
     * as silence, and
     * pre-emphasis uses the sample before each one when the buffer has it. Equals {@link #mfcc(float[])} on a
     * whole-file buffer; on a buffer that starts mid-file it continues the same signal.
     */
    public static float[] rows(float[] audio, int length, long firstStart, int count) {
        float[] out = new float[count * COEFFICIENTS];
        double[] frame = new double[FRAME];
        double[] coefficients = new double[COEFFICIENTS];
        for (int f = 0; f < count; f++) {
            long start = firstStart + (long) f * STEP;
            for (int i = 0; i < FRAME; i++) {
                long s = start + i;
                if (s < 0 || s >= length) {
                    frame[i] = 0.0; // padding after pre-emphasis, as python_speech_features pads its last frames
                    continue;
                }
                double x = audio[(int) s] * 32768.0;
                frame[i] = s == 0 ? x : x - PREEMPHASIS * (audio[(int) (s - 1)] * 32768.0);
            }
            frameCoefficients(frame, coefficients);
            for (int c = 0; c < COEFFICIENTS; c++) {
                out[f * COEFFICIENTS + c] = (float) coefficients[c];
            }
        }
        return out;
    }

    /** Float samples in [-1, 1] on the int16 scale the model was trained with. */
    public static float[] toInt16Scale(float[] samples) {
        float[] out = new float[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = samples[i] * 32768f;
        }
        return out;
    }

    /** The 13 coefficients of one pre-emphasised 400-sample frame (zero-padded to the 512-point FFT). */
    static void frameCoefficients(double[] frame, double[] out) {
        double[] power = new double[NFFT / 2 + 1];
        double[] logMel = new double[FILTERS];
        double energy = 0;
        for (int k = 0; k <= NFFT / 2; k++) {
            double re = 0;
            double im = 0;
            for (int i = 0; i < FRAME; i++) {
                re += frame[i] * COS[k][i];
                im -= frame[i] * SIN[k][i];
            }
            power[k] = (re * re + im * im) / NFFT;
            energy += power[k];
        }
        for (int m = 0; m < FILTERS; m++) {
            double e = 0;
            for (int k = 0; k <= NFFT / 2; k++) {
                e += power[k] * FILTERBANK[m][k];
            }
            logMel[m] = Math.log(e == 0 ? EPS : e);
        }
        for (int c = 0; c < COEFFICIENTS; c++) {
            double v = 0;
            for (int m = 0; m < FILTERS; m++) {
                v += DCT[c][m] * logMel[m];
            }
            out[c] = v * (1 + (LIFTER / 2.0) * Math.sin(Math.PI * c / LIFTER));
        }
        out[0] = Math.log(energy == 0 ? EPS : energy);
    }

    /** Triangular mel filters on FFT bins floor((nfft + 1)·hz / sr), as python_speech_features builds them. */
    static double[][] filterbank() {
        double lowMel = 0;
        double highMel = 2595 * Math.log10(1 + (SAMPLE_RATE / 2.0) / 700.0);
        double[] bins = new double[FILTERS + 2];
        for (int i = 0; i < bins.length; i++) {
            double mel = lowMel + (highMel - lowMel) * i / (FILTERS + 1);
            bins[i] = Math.floor((NFFT + 1) * (700 * (Math.pow(10, mel / 2595.0) - 1)) / SAMPLE_RATE);
        }
        double[][] fb = new double[FILTERS][NFFT / 2 + 1];
        for (int j = 0; j < FILTERS; j++) {
            for (int i = (int) bins[j]; i < (int) bins[j + 1]; i++) {
                fb[j][i] = (i - bins[j]) / (bins[j + 1] - bins[j]);
            }
            for (int i = (int) bins[j + 1]; i < (int) bins[j + 2]; i++) {
                fb[j][i] = (bins[j + 2] - i) / (bins[j + 2] - bins[j + 1]);
            }
        }
        return fb;
    }
}
