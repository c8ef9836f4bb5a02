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

    private SpeechActivity() {}

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
