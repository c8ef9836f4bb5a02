package io.lipsyncguard.job.media;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.DFT_COMPLEX_OUTPUT;
import static org.bytedeco.opencv.global.opencv_core.DFT_ROWS;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Log-mel spectrogram, aligned to video frames: mel frame j is centred on the middle of hop interval j, so with
 * hop·M = samples per video frame, video frame f owns exactly mel frames f·M .. f·M+M-1.
 */
public final class LogMel {

    /** Added to the mel power before the log so silence gives a finite floor (ln 1e-6 ≈ -13.8). */
    public static final double POWER_FLOOR = 1e-6;

    private LogMel() {}

    /** HTK mel scale. */
    public static double hzToMel(double hz) {
        return 2595.0 * Math.log10(1.0 + hz / 700.0);
    }

    public static double melToHz(double mel) {
        return 700.0 * (Math.pow(10.0, mel / 2595.0) - 1.0);
    }

    /**
     * Triangular mel filterbank [nMels][nFft/2+1] on the HTK scale with unit peak, the triangles linear in Hz between
     * their mel-spaced corners: librosa's {@code filters.mel(htk=True, norm=None)} (HTK and Kaldi draw them linear in
     * mel, which differs by under 0.01 per weight).
     */
    public static float[][] filterbank(int sampleRate, int nFft, int nMels, double fMin, double fMax) {
        int bins = nFft / 2 + 1;
        double melMin = hzToMel(fMin);
        double melMax = hzToMel(fMax);
        double[] edges = new double[nMels + 2];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = melToHz(melMin + (melMax - melMin) * i / (nMels + 1));
        }
        float[][] fb = new float[nMels][bins];
        for (int m = 0; m < nMels; m++) {
            double lo = edges[m];
            double mid = edges[m + 1];
            double hi = edges[m + 2];
            for (int k = 0; k < bins; k++) {
                double hz = (double) k * sampleRate / nFft;
                double w = 0;
                if (hz > lo && hz <= mid) {
                    w = (hz - lo) / (mid - lo);
                } else if (hz > mid && hz < hi) {
                    w = (hi - hz) / (hi - mid);
                }
                fb[m][k] = (float) w;
            }
        }
        return fb;
    }

    /**
     * Log-mel features of {@code melFrames} consecutive frames, the first centred at sample
     * {@code firstCentre} of {@code audio} (indices outside the array read as silence). Returns [melFrames][nMels]
     * row-major, natural log of mel power + {@link #POWER_FLOOR}. Periodic Hann window of {@code winLength},
     * zero-padded to {@code nFft}.
     */
    public static float[] compute(float[] audio, long firstCentre, int melFrames, int nFft, int winLength, int hop,
            float[][] filterbank) {
        int nMels = filterbank.length;
        int bins = nFft / 2 + 1;
        float[] out = new float[melFrames * nMels];
        if (melFrames == 0) {
            return out;
        }
        float[] window = new float[winLength];
        for (int i = 0; i < winLength; i++) {
            window[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / winLength));
        }
        float[] frames = new float[melFrames * nFft];
        int padLeft = (nFft - winLength) / 2;
        for (int j = 0; j < melFrames; j++) {
            long start = firstCentre + (long) j * hop - winLength / 2;
            for (int i = 0; i < winLength; i++) {
                long idx = start + i;
                if (idx >= 0 && idx < audio.length) {
                    frames[j * nFft + padLeft + i] = audio[(int) idx] * window[i];
                }
            }
        }
        float[] spectrum = new float[melFrames * nFft * 2];
        // One OpenCV DFT call over all rows keeps the JNI crossings per window constant.
        try (FloatPointer in = new FloatPointer(frames);
                Mat rows = new Mat(melFrames, nFft, CV_32F, in);
                Mat complex = new Mat()) {
            opencv_core.dft(rows, complex, DFT_ROWS | DFT_COMPLEX_OUTPUT, 0);
            try (FloatPointer p = new FloatPointer(complex.data())) {
                p.get(spectrum);
            }
        }
        double[] power = new double[bins];
        for (int j = 0; j < melFrames; j++) {
            int base = j * nFft * 2;
            for (int k = 0; k < bins; k++) {
                double re = spectrum[base + 2 * k];
                double im = spectrum[base + 2 * k + 1];
                power[k] = re * re + im * im;
            }
            for (int m = 0; m < nMels; m++) {
                float[] w = filterbank[m];
                double s = 0;
                for (int k = 0; k < bins; k++) {
                    if (w[k] != 0f) {
                        s += w[k] * power[k];
                    }
                }
                out[j * nMels + m] = (float) Math.log(s + POWER_FLOOR);
            }
        }
        return out;
    }
}
