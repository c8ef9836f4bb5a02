package io.lipsyncguard.connectors.kafka;

import io.lipsyncguard.connectors.MediaChunk;

/**
 * One entry of the dead-letter topic: a chunk (or part of a video) the job could not process, and why.
 *
 * @param videoId the video concerned, or {@code unknown-<topic>-<partition>-<offset>} when the record had no key
 * @param sequence the chunk's sequence, or {@link ChunkContentTypes#UNKNOWN_SEQUENCE}
 * @param stage where it failed: {@link #STAGE_DESERIALIZE}, {@link #STAGE_REFERENCE}, {@link #STAGE_DECODE} or
 *     another stage name of the job
 * @param reason human-readable cause, cut to at most {@link #MAX_REASON_CHARS} characters
 * @param atMs wall-clock time the error was recorded, epoch milliseconds
 */
public record ErrorRecord(String videoId, long sequence, String stage, String reason, long atMs) {

    /**
     * Longest reason kept. Reasons quote their input (a path, a header, FFmpeg's message), whose length nothing else
     * bounds; a record over its topic's size limit would fail the sink and restart the job, for ever.
     */
    public static final int MAX_REASON_CHARS = 2_000;

    public ErrorRecord {
        reason = bounded(reason);
    }

    /**
     * {@code reason} cut to at most {@link #MAX_REASON_CHARS} characters with a note of its length (never inside a
     * surrogate pair); a cut reason is not cut again.
     */
    public static String bounded(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_CHARS) {
            return reason;
        }
        String note = "... (" + reason.length() + " characters in all)";
        int cut = MAX_REASON_CHARS - note.length();
        if (Character.isHighSurrogate(reason.charAt(cut - 1))) {
            cut--;
        }
        return reason.substring(0, cut) + note;
    }

    /** The record could not be read as a chunk (key, headers, value). */
    public static final String STAGE_DESERIALIZE = "deserialize";

    /** A claim-check reference was refused by the {@link ReferencePolicy}. */
    public static final String STAGE_REFERENCE = "reference";

    /** The media could not be decoded. */
    public static final String STAGE_DECODE = "decode";

    /** The dead-letter entry for an {@link ChunkContentTypes#INVALID invalid} chunk made by the deserializer. */
    public static ErrorRecord forInvalidChunk(MediaChunk chunk, long atMs) {
        String reason = ChunkContentTypes.reasonOf(chunk);
        String stage = reason.startsWith(ChunkContentTypes.REFERENCE_REASON_PREFIX) ? STAGE_REFERENCE
                : STAGE_DESERIALIZE;
        return new ErrorRecord(chunk.videoId(), chunk.sequence(), stage, reason, atMs);
    }
}
