package io.lipsyncguard.job.sample;

import java.util.Objects;

/**
 * What one synthetic clip should contain: its variant, the seed of its speech, its length and the manipulation.
 *
 * @param variant      the kind of clip
 * @param seed         seed of the speech that drives the lips (and the audio, except for {@link SampleVariant#SWAPPED})
 * @param seconds      length of the clip
 * @param audioShiftMs for {@link SampleVariant#SHIFTED}: how much later than the lips the audio comes (negative:
 *                     earlier); 0 for the other variants
 * @param swapSeed     for {@link SampleVariant#SWAPPED}: seed of the unrelated speech that is written as audio
 */
public record SampleSpec(SampleVariant variant, long seed, double seconds, int audioShiftMs, long swapSeed) {

    // Long enough for any demo or test, small enough that a typo cannot fill the disk.
    private static final double MAX_SECONDS = 600;

    public SampleSpec {
        Objects.requireNonNull(variant, "variant");
        if (!(seconds > 0 && seconds <= MAX_SECONDS)) {
            throw new IllegalArgumentException("seconds must be in (0, " + MAX_SECONDS + "], got " + seconds);
        }
        if (variant != SampleVariant.SHIFTED && audioShiftMs != 0) {
            throw new IllegalArgumentException("audioShiftMs only applies to SHIFTED clips, got " + audioShiftMs
                    + " for " + variant);
        }
        if (Math.abs(audioShiftMs) * 1e-3 >= seconds) {
            throw new IllegalArgumentException("a shift of " + audioShiftMs + " ms leaves no overlap in a "
                    + seconds + " s clip");
        }
        if (variant == SampleVariant.SWAPPED && swapSeed == seed) {
            throw new IllegalArgumentException("a SWAPPED clip needs a swapSeed different from its seed");
        }
    }

    /** Lips and audio from the same speech. */
    public static SampleSpec inSync(long seed, double seconds) {
        return new SampleSpec(SampleVariant.IN_SYNC, seed, seconds, 0, 0);
    }

    /** Lips from the speech, the audio {@code audioShiftMs} later (negative: earlier). */
    public static SampleSpec shifted(long seed, double seconds, int audioShiftMs) {
        return new SampleSpec(SampleVariant.SHIFTED, seed, seconds, audioShiftMs, 0);
    }

    /** Lips from the speech of {@code seed}, the audio from the unrelated speech of {@code swapSeed}. */
    public static SampleSpec swapped(long seed, long swapSeed, double seconds) {
        return new SampleSpec(SampleVariant.SWAPPED, seed, seconds, 0, swapSeed);
    }

    /** A talking face without an audio stream. */
    public static SampleSpec noAudio(long seed, double seconds) {
        return new SampleSpec(SampleVariant.NO_AUDIO, seed, seconds, 0, 0);
    }

    /** Speech over a picture without a face. */
    public static SampleSpec noFace(long seed, double seconds) {
        return new SampleSpec(SampleVariant.NO_FACE, seed, seconds, 0, 0);
    }

    /** The seed of the speech that is written as the audio track. */
    public long audioSeed() {
        return variant == SampleVariant.SWAPPED ? swapSeed : seed;
    }
}
