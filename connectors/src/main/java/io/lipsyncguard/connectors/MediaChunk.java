package io.lipsyncguard.connectors;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One piece of one video as it enters the job: inline media bytes or a reference (claim check) to them.
 *
 * @param videoId the key; all chunks of one video share it
 * @param sequence 0-based position of this chunk within its video
 * @param last true on the video's final chunk
 * @param contentType MIME type or FFmpeg format hint (e.g. {@code video/mp2t}, {@code video/mp4}); may be null
 * @param mediaStartUs media time of the chunk's first sample in microseconds, or {@link #UNKNOWN_START}
 * @param payload the encoded media, or null when {@code uri} is set
 * @param uri where the encoded media lives (file path or Flink file-system URI), or null when inline
 * @param producedAtMs wall-clock time the producer made the chunk, for latency measurement (0 when unknown)
 */
public record MediaChunk(
        String videoId,
        long sequence,
        boolean last,
        String contentType,
        long mediaStartUs,
        byte[] payload,
        String uri,
        long producedAtMs)
        implements Serializable {

    public static final long UNKNOWN_START = Long.MIN_VALUE;

    /** A whole file referenced by path: the shape {@code analyze} feeds into the workflow. */
    public static MediaChunk wholeFile(String videoId, String uri) {
        return new MediaChunk(videoId, 0, true, null, UNKNOWN_START, null, uri, 0L);
    }

    public boolean isReference() {
        return payload == null;
    }

    /** Size of the inline payload in bytes (0 for a reference). */
    public int inlineSize() {
        return payload == null ? 0 : payload.length;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MediaChunk other)) {
            return false;
        }
        return sequence == other.sequence
                && last == other.last
                && mediaStartUs == other.mediaStartUs
                && producedAtMs == other.producedAtMs
                && Objects.equals(videoId, other.videoId)
                && Objects.equals(contentType, other.contentType)
                && Arrays.equals(payload, other.payload)
                && Objects.equals(uri, other.uri);
    }

    @Override
    public int hashCode() {
        return Objects.hash(videoId, sequence, last, contentType, mediaStartUs, uri, producedAtMs) * 31
                + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "MediaChunk[" + videoId + "#" + sequence + (last ? " last" : "")
                + (payload != null ? " " + payload.length + " bytes" : " uri=" + uri) + "]";
    }
}
