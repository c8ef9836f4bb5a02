package io.lipsyncguard.job.window;

/** What an {@link AvWindow} event carries: a window to score, the end of a video, or an error to report. */
public enum WindowKind {
    /** An audio-visual window to score. */
    WINDOW,
    /** The video ended; {@code index} holds the number of windows cut for it. */
    END,
    /** A chunk could not be used; {@code reason} says why. The video continues. */
    ERROR
}
