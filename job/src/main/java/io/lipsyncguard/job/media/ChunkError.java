package io.lipsyncguard.job.media;

/**
 * A chunk the job could not use, for the dead-letter output: which video and chunk, at which stage, and why.
 *
 * @param stage "deserialize", "reference", "decode", "sequence" (gap or duplicate) or "size"
 */
public record ChunkError(String videoId, long sequence, String stage, String reason, long atMs) {}
