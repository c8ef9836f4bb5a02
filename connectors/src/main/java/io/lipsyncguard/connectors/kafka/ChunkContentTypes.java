package io.lipsyncguard.connectors.kafka;

import io.lipsyncguard.connectors.MediaChunk;
import java.nio.charset.StandardCharsets;

/** The content types with a meaning of their own on the chunk topic, and the shape of an "invalid" chunk. */
public final class ChunkContentTypes {

    /**
     * Claim check: the record value is JSON {@code {"uri": "...", "contentType": "..."}} naming where the media
     * lives instead of carrying it; {@code contentType} (the media's own type) is optional. The consumer turns it
     * into a reference {@link MediaChunk} only if the URI passes the {@link ReferencePolicy}.
     */
    public static final String REFERENCE = "application/vnd.lipsync.ref+json";

    /**
     * Marks a chunk the consumer could not accept (malformed record or refused reference). Its payload is the UTF-8
     * reason; its video id, sequence and {@code last} flag are whatever could be read from the record. Such chunks
     * are emitted rather than dropped or thrown so that the job can report them on the dead-letter topic and still
     * close the video they belong to.
     */
    public static final String INVALID = "application/vnd.lipsync.invalid";

    /** Sequence of an invalid chunk whose {@code lsg-seq} header was missing or unreadable. */
    public static final long UNKNOWN_SEQUENCE = -1L;

    /** Prefix of every reason given for a refused reference, so the job can tell reference errors from the rest. */
    public static final String REFERENCE_REASON_PREFIX = "reference ";

    private ChunkContentTypes() {}

    /**
     * The media type of a content type, as the reserved types are compared: without parameters ({@code ; charset=...})
     * and case, which media types ignore; null for null.
     */
    public static String mediaType(String contentType) {
        return contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether {@code contentType} is one of the types this project reserves for its own records. */
    public static boolean isReserved(String contentType) {
        String type = mediaType(contentType);
        return REFERENCE.equals(type) || INVALID.equals(type);
    }

    /** An invalid chunk carrying {@code reason} as its payload. */
    public static MediaChunk invalid(String videoId, long sequence, boolean last, long producedAtMs, String reason) {
        return new MediaChunk(
                videoId,
                sequence,
                last,
                INVALID,
                MediaChunk.UNKNOWN_START,
                reason.getBytes(StandardCharsets.UTF_8),
                null,
                producedAtMs);
    }

    /** Whether {@code chunk} is one this project's deserializer made invalid: that type, with its reason inline. */
    public static boolean isInvalid(MediaChunk chunk) {
        return INVALID.equals(chunk.contentType()) && chunk.payload() != null;
    }

    /** The reason of an invalid chunk; throws for any other chunk. */
    public static String reasonOf(MediaChunk chunk) {
        if (!isInvalid(chunk) || chunk.payload() == null) {
            throw new IllegalArgumentException("not an invalid chunk: " + chunk);
        }
        return new String(chunk.payload(), StandardCharsets.UTF_8);
    }
}
