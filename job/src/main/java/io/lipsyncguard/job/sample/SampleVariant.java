package io.lipsyncguard.job.sample;

/** The kinds of synthetic talking-head clip the sample generator can write. */
public enum SampleVariant {
    /** Lips and audio come from the same signal at the same time. */
    IN_SYNC,
    /** Lips follow the audio, but the written audio is delayed (or advanced) by {@link SampleSpec#audioShiftMs()}. */
    SHIFTED,
    /** Lips follow one utterance while the written audio is a different one. */
    SWAPPED,
    /** A talking face with no audio stream at all. */
    NO_AUDIO,
    /** Speech audio over a picture that contains no face. */
    NO_FACE
}
