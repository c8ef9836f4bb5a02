package io.lipsyncguard.connectors.kafka;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.MediaChunk;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Turns each chunk record (see {@link ChunkHeaders}) into exactly one {@link MediaChunk}: inline media, a reference
 * that passed the {@link ReferencePolicy}, or an {@link ChunkContentTypes#INVALID invalid} chunk saying why not.
 *
 * <p>It never throws and never skips a record: a throwing deserializer would fail the job on one bad record and
 * restart it into the same record forever, and a skipped record would leave its video open with a silent gap.
 */
public final class MediaChunkDeserializer implements KafkaRecordDeserializationSchema<MediaChunk> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Longest accepted key (the video id) in bytes: every verdict and error record carries the id twice (as its key
     * and in its JSON), so an id of megabytes would make the job's own records too large for Kafka and fail the sink
     * on every restart; 4 KiB leaves room for ids that are URLs.
     */
    public static final int MAX_KEY_BYTES = 4096;

    private final ReferencePolicy referencePolicy;
    private final int maxRecordBytes;

    /**
     * @param referencePolicy which claim-check URIs are accepted
     * @param maxRecordBytes largest accepted record value; larger ones become invalid chunks
     */
    public MediaChunkDeserializer(ReferencePolicy referencePolicy, int maxRecordBytes) {
        if (referencePolicy == null) {
            throw new IllegalArgumentException("referencePolicy is required; use ReferencePolicy.denyAll() for none");
        }
        this.referencePolicy = referencePolicy;
        this.maxRecordBytes = KafkaLimits.requirePositive(maxRecordBytes);
    }

    public MediaChunkDeserializer(ReferencePolicy referencePolicy) {
        this(referencePolicy, KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<MediaChunk> out) {
        out.collect(toChunk(record));
    }

    /** The chunk for one record; never null, never throws. */
    public MediaChunk toChunk(ConsumerRecord<byte[], byte[]> record) {
        try {
            return parse(record);
        } catch (MalformedRecordException e) {
            return invalid(record, e.getMessage());
        } catch (RuntimeException e) {
            return invalid(record, "unreadable record: " + e);
        }
    }

    @Override
    public TypeInformation<MediaChunk> getProducedType() {
        return TypeInformation.of(MediaChunk.class);
    }

    private MediaChunk parse(ConsumerRecord<byte[], byte[]> record) throws MalformedRecordException {
        String videoId = videoId(record.key());
        Headers headers = record.headers();
        long sequence = ChunkHeaders.requiredSequence(headers);
        boolean last = ChunkHeaders.requiredLast(headers);
        long mediaStartUs = ChunkHeaders.mediaStartUs(headers);
        long producedAtMs = ChunkHeaders.producedAtMs(headers);
        String contentType = contentType(ChunkHeaders.text(headers, ChunkHeaders.CONTENT_TYPE), "header");
        byte[] value = record.value();
        if (value == null) {
            throw new MalformedRecordException("missing value");
        }
        if (value.length > maxRecordBytes) {
            throw new MalformedRecordException(
                    "value of " + value.length + " bytes exceeds the limit of " + maxRecordBytes + " bytes");
        }
        // media types are case-insensitive and may carry parameters ("...; charset=utf-8"): a claim check so labelled
        // was fed to FFmpeg as media
        String mediaType = ChunkContentTypes.mediaType(contentType);
        if (ChunkContentTypes.INVALID.equals(mediaType)) {
            // Reserved for this deserializer's own verdicts: a producer must not be able to forge them.
            throw new MalformedRecordException("content type " + ChunkContentTypes.INVALID + " is reserved");
        }
        if (!ChunkContentTypes.REFERENCE.equals(mediaType)) {
            return new MediaChunk(videoId, sequence, last, contentType, mediaStartUs, value, null, producedAtMs);
        }
        Reference reference = reference(value);
        ReferencePolicy.Decision decision = referencePolicy.check(reference.uri());
        if (!decision.allowed()) {
            throw new MalformedRecordException(decision.refusal());
        }
        return new MediaChunk(videoId, sequence, last, reference.contentType(), mediaStartUs, null,
                decision.normalisedUri(), producedAtMs);
    }

    private static String videoId(byte[] key) throws MalformedRecordException {
        if (key == null) {
            throw new MalformedRecordException("missing key");
        }
        if (key.length > MAX_KEY_BYTES) {
            throw new MalformedRecordException(
                    "key of " + key.length + " bytes exceeds the limit of " + MAX_KEY_BYTES + " bytes");
        }
        String videoId = ChunkHeaders.utf8(key, "key");
        if (videoId.isBlank()) {
            throw new MalformedRecordException("empty key");
        }
        return videoId;
    }

    /**
     * The id an over-long key goes by: the same for every chunk of that key, so its video gets one error, and short
     * enough for the verdict and error records that repeat it as their key and in their body.
     */
    public static String oversizedKeyId(byte[] key) {
        return "oversized-key-sha256-" + sha256(key);
    }

    private record Reference(String uri, String contentType) {}

    /**
     * A content type of at most {@link #MAX_CONTENT_TYPE_CHARS}: a 16 MiB header on an empty chunk counted as 1 KiB
     * of the decoder's backlog while it was held.
     */
    private static String contentType(String contentType, String where) throws MalformedRecordException {
        if (contentType != null && contentType.length() > MAX_CONTENT_TYPE_CHARS) {
            throw new MalformedRecordException("content type (" + where + ") of " + contentType.length()
                    + " characters exceeds the limit of " + MAX_CONTENT_TYPE_CHARS);
        }
        return contentType;
    }

    /** RFC 6838 allows 127 characters for each of type and subtype: the rest is room for parameters. */
    static final int MAX_CONTENT_TYPE_CHARS = 1024;

    /**
     * The largest reference value read: a URI of {@code MAX_URI_CHARS} fully escaped and a content type. Parsed as a
     * tree, a 16 MiB value of empty arrays took some 300 MB of heap.
     */
    static final int MAX_REFERENCE_BYTES = 128 * 1024;

    private static Reference reference(byte[] value) throws MalformedRecordException {
        if (value.length > MAX_REFERENCE_BYTES) {
            throw new MalformedRecordException("bad reference value: " + value.length + " bytes exceed the limit of "
                    + MAX_REFERENCE_BYTES + " bytes for a reference");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new MalformedRecordException("bad reference value: not JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new MalformedRecordException("bad reference value: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new MalformedRecordException("bad reference value: not a JSON object");
        }
        JsonNode uri = node.get("uri");
        if (uri == null || !uri.isTextual()) {
            throw new MalformedRecordException("bad reference value: no string field \"uri\"");
        }
        JsonNode contentType = node.get("contentType");
        if (contentType != null && !contentType.isNull() && !contentType.isTextual()) {
            throw new MalformedRecordException("bad reference value: field \"contentType\" is not a string");
        }
        boolean hasType = contentType != null && !contentType.isNull();
        if (hasType && ChunkContentTypes.isReserved(contentType.textValue())) {
            // a reference "of" an invalid chunk had no reason to carry, and failed the job on every restart
            throw new MalformedRecordException("bad reference value: content type " + contentType.textValue()
                    + " is reserved");
        }
        return new Reference(uri.textValue(), hasType ? contentType(contentType.textValue(), "reference") : null);
    }

    /** An invalid chunk identified as well as the record allows, with the record's position in the reason. */
    private static MediaChunk invalid(ConsumerRecord<byte[], byte[]> record, String reason) {
        String position = record.topic() + "-" + record.partition() + "@" + record.offset();
        Headers headers = record.headers();
        String videoId;
        boolean ownId = false;
        try {
            videoId = videoId(record.key());
        } catch (MalformedRecordException e) {
            byte[] key = record.key();
            if (key != null && key.length > MAX_KEY_BYTES) {
                videoId = oversizedKeyId(key);
            } else if (key != null && key.length > 0 && !isUtf8(key)) {
                // every chunk of such a key goes by one id, so its video gets one error and one verdict
                videoId = "invalid-key-sha256-" + sha256(key);
            } else {
                // no key to tell the video by: an id of the record's own that no other chunk shares
                videoId = "unknown-" + record.topic() + "-" + record.partition() + "-" + record.offset();
                ownId = true;
            }
        }
        long sequence;
        boolean last;
        if (ownId) {
            // the only record of its "video": taken as its last chunk, at no place in a sequence, so the job answers
            // it at once; kept at its sequence, it waited behind chunks that could never come under this id
            sequence = ChunkContentTypes.UNKNOWN_SEQUENCE;
            last = true;
        } else {
            sequence = trySequence(headers);
            try {
                // Keeping "last" lets the job close a video whose final chunk was bad instead of waiting for it.
                last = ChunkHeaders.requiredLast(headers);
            } catch (MalformedRecordException e) {
                last = false;
            }
        }
        long producedAtMs = ChunkHeaders.tryUnsigned(headers, ChunkHeaders.PRODUCED_AT_MS).orElse(0L);
        return ChunkContentTypes.invalid(videoId, sequence, last, producedAtMs, reason + " (record " + position + ")");
    }

    /** The record's sequence if it has one the job can place, else {@link ChunkContentTypes#UNKNOWN_SEQUENCE}. */
    private static long trySequence(Headers headers) {
        try {
            return ChunkHeaders.requiredSequence(headers);
        } catch (MalformedRecordException e) {
            // a number above 2^53 too: placed there, the chunk waited for ever, or wrapped the job's count
            return ChunkContentTypes.UNKNOWN_SEQUENCE;
        }
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            ChunkHeaders.utf8(bytes, "key");
            return true;
        } catch (MalformedRecordException e) {
            return false;
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
