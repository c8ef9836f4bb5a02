package io.lipsyncguard.job.media;

/**
 * Mixes stereo audio to mono as FFmpeg does ((L + R) / √2), except where one channel is the other turned upside
 * down (a microphone wired out of phase, a classic broadcast fault): there the plain mix cancels the voice to
 * near silence while listeners on two speakers hear it, so the channels are mixed the other way round ((L − R) / √2).
 */
public final class StereoDownmix {

    /**
     * A frame whose plain mix keeps less than this share of the two channels' energy is out of phase: 1 for identical
     * channels, ½ for unrelated ones, 0 for exact opposites; 0.1 is a channel correlation below −0.8, which no
     * recording with two microphones in one room comes near.
     */
    static final double OUT_OF_PHASE_SHARE = 0.1;

    /**
     * Once out of phase, a frame must keep more than this share to be mixed plainly again: decided afresh on every
     * audio frame (some 20 ms) with one bar, channels near it would switch mix from frame to frame, a level that jumps
     * by 10 dB fifty times a second, which the features read as speech.
     */
    static final double IN_PHASE_AGAIN_SHARE = 0.3;

    /** FFmpeg's stereo-to-mono coefficient as the float its resampler computes with. */
    private static final float HALF_SQRT2 = (float) Math.sqrt(0.5);

    private StereoDownmix() {}

    /** The result of a downmix: the mono samples and whether the channels were found out of phase. */
    public record Mono(float[] samples, boolean outOfPhase) {}

    /** Mono of one audio frame of interleaved stereo samples (L, R, L, R, ...); a trailing odd sample is dropped. */
    public static Mono ofInterleaved(float[] stereo) {
        return ofInterleaved(stereo, false);
    }

    /**
     * As {@link #ofInterleaved(float[])}, for the next frame of a stream whose previous frame was mixed out of phase
     * ({@code wasOutOfPhase}) or not: the mix changes only when the share crosses the bar on the other side.
     */
    public static Mono ofInterleaved(float[] stereo, boolean wasOutOfPhase) {
        int n = stereo.length / 2;
        double left = 0;
        double right = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double l = stereo[2 * i];
            double r = stereo[2 * i + 1];
            left += l * l;
            right += r * r;
            sum += (l + r) * (l + r);
        }
        // (l + r)² / 2 summed is the plain mix's energy; l² + r² what the two channels carry
        double bar = wasOutOfPhase ? IN_PHASE_AGAIN_SHARE : OUT_OF_PHASE_SHARE;
        // silence says nothing: the mix goes on as it was
        boolean outOfPhase = left + right > 0 ? sum / 2 < bar * (left + right) : wasOutOfPhase;
        float[] mono = new float[n];
        for (int i = 0; i < n; i++) {
            float l = stereo[2 * i];
            float r = outOfPhase ? -stereo[2 * i + 1] : stereo[2 * i + 1];
            mono[i] = l * HALF_SQRT2 + r * HALF_SQRT2;
        }
        return new Mono(mono, outOfPhase);
    }
}
