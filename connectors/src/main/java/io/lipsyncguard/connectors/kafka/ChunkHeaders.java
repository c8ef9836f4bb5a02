package io.lipsyncguard.connectors.kafka;

import io.lipsyncguard.connectors.MediaChunk;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The wire format of a chunk record's key and headers, written by {@link ChunkProducer} and read by
 * {@link MediaChunkDeserializer}.
 *
 * <p>Key: the video id, UTF-8. Every header value is UTF-8 text, numbers in decimal, so that any Kafka tool can
 * produce and inspect chunks:
 *
 * <ul>
 *   <li>{@value #SEQUENCE} (required): 0-based chunk position within the video,
 *   <li>{@value #LAST} (required): {@code true} on the video's final chunk, else {@code false},
 *   <li>{@value #CONTENT_TYPE} (optional): the media type of an inline value, or {@link ChunkContentTypes#REFERENCE},
 *   <li>{@value #MEDIA_START_US} (optional): media time of the chunk's first sample, microseconds,
 *   <li>{@value #PRODUCED_AT_MS} (optional, 0 if absent): producer wall clock, epoch milliseconds.
 * </ul>
 *
 * When a header occurs more than once, the last occurrence counts (Kafka's own convention for {@code lastHeader}).
 */
public final class ChunkHeaders {

    public static final String SEQUENCE = "lsg-seq";
    public static final String LAST = "lsg-last";
    public static final String CONTENT_TYPE = "lsg-content-type";
    public static final String MEDIA_START_US = "lsg-media-start-us";
    public static final String PRODUCED_AT_MS = "lsg-produced-at-ms";

    private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,19}");
    private static final Pattern SIGNED = Pattern.compile("-?[0-9]{1,19}");
    private static final int MAX_QUOTED = 64;
    /** Largest accepted chunk sequence number, 2^53: far beyond any stream, far below overflow. */
    static final long MAX_SEQUENCE = 1L << 53;
    /** Largest accepted |media start|: 10^15 µs, some 31 years. */
    static final long MAX_MEDIA_START_US = 1_000_000_000_000_000L;

    private ChunkHeaders() {}

    /** The record key of a video's chunks. */
    public static byte[] key(String videoId) {
        try {
            // strict: getBytes would write a lone surrogate as '?', so two different ids could share one key
            java.nio.ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(videoId));
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("video id is not valid Unicode text (a lone surrogate?)", e);
        }
    }

    /**
     * The headers of {@code chunk} as a record on the wire.
     *
     * @param wireContentType what goes in {@value #CONTENT_TYPE}, or null to omit it
     * @param producedAtMs what goes in {@value #PRODUCED_AT_MS}
     */
    public static List<Header> encode(MediaChunk chunk, String wireContentType, long producedAtMs) {
        List<Header> headers = new ArrayList<>(5);
        headers.add(header(SEQUENCE, Long.toString(chunk.sequence())));
        headers.add(header(LAST, Boolean.toString(chunk.last())));
        if (wireContentType != null) {
            headers.add(header(CONTENT_TYPE, wireContentType));
        }
        if (chunk.mediaStartUs() != MediaChunk.UNKNOWN_START) {
            headers.add(header(MEDIA_START_US, Long.toString(chunk.mediaStartUs())));
        }
        headers.add(header(PRODUCED_AT_MS, Long.toString(producedAtMs)));
        return headers;
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Strict UTF-8 decoding: malformed bytes are an error rather than silently replaced. */
    static String utf8(byte[] bytes, String what) throws MalformedRecordException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRecordException(what + " is not valid UTF-8");
        }
    }

    /** The header's text, or null when the header is absent. */
    static String text(Headers headers, String name) throws MalformedRecordException {
        Header header = headers.lastHeader(name);
        if (header == null) {
            return null;
        }
        if (header.value() == null) {
            throw new MalformedRecordException("bad header " + name + ": no value");
        }
        return utf8(header.value(), "header " + name);
    }

    static long requiredSequence(Headers headers) throws MalformedRecordException {
        String text = text(headers, SEQUENCE);
        if (text == null) {
            throw new MalformedRecordException("missing header " + SEQUENCE);
        }
        long sequence = parse(SEQUENCE, text, UNSIGNED);
        if (sequence > MAX_SEQUENCE) {
            // the job counts on from it: Long.MAX_VALUE would wrap its next expected sequence and let redeliveries in
            throw new MalformedRecordException("bad header " + SEQUENCE + ": " + sequence + " is above "
                    + MAX_SEQUENCE);
        }
        return sequence;
    }

    static boolean requiredLast(Headers headers) throws MalformedRecordException {
        String text = text(headers, LAST);
        if (text == null) {
            throw new MalformedRecordException("missing header " + LAST);
        }
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(LAST, text);
        };
    }

    static long mediaStartUs(Headers headers) throws MalformedRecordException {
        String text = text(headers, MEDIA_START_US);
        if (text == null) {
            return MediaChunk.UNKNOWN_START;
        }
        long start = parse(MEDIA_START_US, text, SIGNED);
        if (start < -MAX_MEDIA_START_US || start > MAX_MEDIA_START_US) { // not Math.abs: it keeps Long.MIN_VALUE
            // differences of such starts overflow (and Long.MIN_VALUE is the "unknown" marker itself)
            throw new MalformedRecordException("bad header " + MEDIA_START_US + ": " + start + " is beyond ±"
                    + MAX_MEDIA_START_US + " µs");
        }
        return start;
    }

    static long producedAtMs(Headers headers) throws MalformedRecordException {
        String text = text(headers, PRODUCED_AT_MS);
        return text == null ? 0L : parse(PRODUCED_AT_MS, text, UNSIGNED);
    }

    /** Best-effort read of a number for identifying an invalid record: empty instead of an error. */
    static OptionalLong tryUnsigned(Headers headers, String name) {
        try {
            String text = text(headers, name);
            return text == null ? OptionalLong.empty() : OptionalLong.of(parse(name, text, UNSIGNED));
        } catch (MalformedRecordException e) {
            return OptionalLong.empty();
        }
    }

    private static long parse(String name, String text, Pattern shape) throws MalformedRecordException {
        if (!shape.matcher(text).matches()) {
            throw bad(name, text);
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw bad(name, text);
        }
    }

    private static MalformedRecordException bad(String name, String text) {
        String shown = text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text;
        return new MalformedRecordException("bad header " + name + ": '" + shown + "'");
    }
}
