package io.lipsyncguard.job.score;

/** Whether a window was scored, and if not, which evidence was missing or what went wrong. */
public enum ScoreStatus {
    SCORED,
    /** Too few frames with a face. */
    NO_FACE,
    /** Too few frames with speech-level audio. */
    SILENT,
    /** Two or more faces of similar size: whose lips the audio belongs to is unknowable. */
    MULTI_FACE,
    /**
     * Speech, but the audio drops to digital silence somewhere in the window or its context (a dropout, a cut, the end
     * of a shorter audio track): the steps at its edges are sound events no mouth made, and would decide the lag.
     */
    AUDIO_DROPOUT,
    /**
     * The picture stands still for more than half a second somewhere in the window (a frozen stream, a still image under
     * a voice): no lips move there, and where the picture stops and starts again is a step no mouth made.
     */
    FROZEN_PICTURE,
    /** The mouth crops are too flat or blurred (grey-level contrast below the manifest's floor) to read lips from. */
    LOW_QUALITY,
    /** The model did not answer within the scoring timeout. */
    TIMEOUT,
    /** The model call failed. */
    FAILED,
    /** Not a window: an END or ERROR event passed through to the aggregator. */
    CONTROL
}
