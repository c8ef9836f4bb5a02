package io.lipsyncguard.job.media;

/** Per-video-frame loudness of the audio track and the rule that calls a frame speech-active. */
public final class SpeechActivity {

    /** Frames quieter than this carry no usable speech (room tone and codec noise sit well below). */
    public static final double DEFAULT_THRESHOLD_DBFS = -45.0;

    /**
     * Frames at or below this are digital silence: the audio dropped out or was cut (a microphone in a quiet room
     * still records -70 dBFS and more). Its edges are steps no mouth made.
     */
    public static final double DIGITAL_SILENCE_DBFS = -90.0;

    /**
     * A quiet recording's speech gate follows its level down to here, and no further: room tone in a quiet room
     * (-60 to -70 dBFS) stays out.
     */
    public static final double QUIETEST_THRESHOLD_DBFS = -60.0;

    /**
     * How far below the track's loud frames (its 95th percentile) speech still counts: 25 dB puts the gate at the
     * default -45 dBFS for speech peaking near -20 dBFS, as the real clips in ../shared/data do.
     */
    public static final double RELATIVE_THRESHOLD_DB = 25.0;

    /**
     * How much quieter than the level the model's gate was set for a track must be before the gate follows it: 6 dB
     * (half the amplitude). Tracks at ordinary levels keep the model's gate exactly; moving it by a decibel adds or
     * drops a window at the margin, and with it the estimated offset by a frame.
     */
    public static final double QUIET_MARGIN_DB = 6.0;

    /** Frames above the quietest gate needed before the track's level is trusted (2 s of sound). */
    public static final int MIN_REFERENCE_FRAMES = 50;

    /** Bins of {@link #histogram}: 1 dB each, from {@link #QUIETEST_THRESHOLD_DBFS} up to 0 dBFS. */
    public static final int HISTOGRAM_BINS = (int) -QUIETEST_THRESHOLD_DBFS + 1;

    private SpeechActivity() {}

    /** Adds the frames {@code levels} (dBFS) above the quietest gate to {@code histogram}. */
    public static void histogram(long[] histogram, float[] levels) {
        for (float db : levels) {
            if (db > QUIETEST_THRESHOLD_DBFS) {
                histogram[Math.min(HISTOGRAM_BINS - 1, (int) (db - QUIETEST_THRESHOLD_DBFS))]++;
            }
        }
    }

    /**
     * The speech gate for a track whose frame levels so far are in {@code histogram}: {@code thresholdDbfs}, or, for a
     * recording more than {@link #QUIET_MARGIN_DB} quieter than that gate expects, {@link #RELATIVE_THRESHOLD_DB} below
     * its loud frames but not below {@link #QUIETEST_THRESHOLD_DBFS}. Never higher than {@code thresholdDbfs}. Without a
     * histogram (state from before it was kept) the level is not known: {@code thresholdDbfs}.
     */
    public static double threshold(long[] histogram, double thresholdDbfs) {
        if (histogram == null) {
            return thresholdDbfs;
        }
        long n = 0;
        for (long c : histogram) {
            n += c;
        }
        if (n < MIN_REFERENCE_FRAMES) {
            return thresholdDbfs;
        }
        long above = 0;
        int bin = histogram.length - 1;
        for (; bin > 0; bin--) {
            above += histogram[bin];
            if (above >= n * 0.05) {
                break;
            }
        }
        double following = QUIETEST_THRESHOLD_DBFS + bin + 0.5 - RELATIVE_THRESHOLD_DB; // the bin's centre
        if (following > thresholdDbfs - QUIET_MARGIN_DB) {
            return thresholdDbfs;
        }
        return Math.max(QUIETEST_THRESHOLD_DBFS, following);
    }

    public static boolean dropout(float dbfs) {
        return dbfs <= DIGITAL_SILENCE_DBFS;
    }

    /**
     * RMS level in dBFS of {@code frames} consecutive video frames of {@code samplesPerFrame} samples each, the first
     * starting at sample {@code startSample} (samples outside the array read as silence, -120 dBFS floor).
     */
    public static float[] dbfs(float[] audio, long startSample, int frames, int samplesPerFrame) {
        float[] out = new float[frames];
        for (int f = 0; f < frames; f++) {
            double ss = 0;
            long base = startSample + (long) f * samplesPerFrame;
            for (int i = 0; i < samplesPerFrame; i++) {
                long idx = base + i;
                if (idx >= 0 && idx < audio.length) {
                    ss += audio[(int) idx] * audio[(int) idx];
                }
            }
            double rms = Math.sqrt(ss / samplesPerFrame);
            out[f] = (float) Math.max(-120.0, 20.0 * Math.log10(rms + 1e-12));
        }
        return out;
    }

    public static boolean active(float dbfs, double thresholdDbfs) {
        return dbfs > thresholdDbfs;
    }

    /** Fraction of {@code levels[from..from+n)} above the threshold. */
    public static double activeFraction(float[] levels, int from, int n, double thresholdDbfs) {
        if (n <= 0) {
            return 0;
        }
        int active = 0;
        for (int i = from; i < from + n; i++) {
            if (active(levels[i], thresholdDbfs)) {
                active++;
            }
        }
        return (double) active / n;
    }
}
