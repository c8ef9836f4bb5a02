package io.lipsyncguard.connectors.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.MediaChunk;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Every kind of record, good or bad, becomes exactly one chunk with exactly the expected fields. */
class MediaChunkDeserializerTest {

    private static final String TOPIC = "chunks";
    private static final String AT = " (record chunks-1@42)";
    private static final MediaChunkDeserializer DESERIALIZER =
            new MediaChunkDeserializer(ReferencePolicy.allowing("file:///data/"), 1024);

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, String... headerPairs) {
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(TOPIC, 1, 42L, key == null ? null : key.getBytes(UTF_8), value);
        for (int i = 0; i < headerPairs.length; i += 2) {
            record.headers().add(headerPairs[i], headerPairs[i + 1].getBytes(UTF_8));
        }
        return record;
    }

    private static ConsumerRecord<byte[], byte[]> reference(String json) {
        return record("v1", json.getBytes(UTF_8), ChunkHeaders.SEQUENCE, "0", ChunkHeaders.LAST, "true",
                ChunkHeaders.CONTENT_TYPE, ChunkContentTypes.REFERENCE, ChunkHeaders.PRODUCED_AT_MS, "5");
    }

    private static MediaChunk invalid(String videoId, long sequence, boolean last, long producedAtMs, String reason) {
        return new MediaChunk(videoId, sequence, last, ChunkContentTypes.INVALID, MediaChunk.UNKNOWN_START,
                (reason + AT).getBytes(UTF_8), null, producedAtMs);
    }

    @Test
    void inlineChunkWithAllHeaders() {
        MediaChunk chunk = DESERIALIZER.toChunk(record("v1", new byte[] {1, 2, 3},
                ChunkHeaders.SEQUENCE, "3", ChunkHeaders.LAST, "false", ChunkHeaders.CONTENT_TYPE, "video/mp2t",
                ChunkHeaders.MEDIA_START_US, "2000000", ChunkHeaders.PRODUCED_AT_MS, "1700000000123"));

        assertThat(chunk).isEqualTo(new MediaChunk(
                "v1", 3, false, "video/mp2t", 2_000_000L, new byte[] {1, 2, 3}, null, 1_700_000_000_123L));
    }

    @Test
    void inlineChunkWithOnlyRequiredHeaders() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                record("v1", new byte[] {9}, ChunkHeaders.SEQUENCE, "0", ChunkHeaders.LAST, "true"));

        assertThat(chunk).isEqualTo(
                new MediaChunk("v1", 0, true, null, MediaChunk.UNKNOWN_START, new byte[] {9}, null, 0L));
    }

    @Test
    void lastOccurrenceOfARepeatedHeaderCounts() {
        MediaChunk chunk = DESERIALIZER.toChunk(record("v1", new byte[] {9},
                ChunkHeaders.SEQUENCE, "1", ChunkHeaders.LAST, "true", ChunkHeaders.SEQUENCE, "2"));

        assertThat(chunk.sequence()).isEqualTo(2);
    }

    @Test
    void referenceUnderAllowedPrefixBecomesReferenceChunk() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                reference("{\"uri\":\"file:///data/videos/a.mp4\",\"contentType\":\"video/mp4\"}"));

        assertThat(chunk).isEqualTo(new MediaChunk(
                "v1", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, null, "file:///data/videos/a.mp4", 5L));
        assertThat(chunk.isReference()).isTrue();
    }

    @Test
    void referenceIsNormalisedBeforeItIsEmitted() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"uri\":\"file:/data/x/./../videos//a.mp4\"}"));

        assertThat(chunk).isEqualTo(new MediaChunk(
                "v1", 0, true, null, MediaChunk.UNKNOWN_START, null, "file:///data/videos/a.mp4", 5L));
    }

    @Test
    void referenceOutsideThePrefixIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"uri\":\"file:///etc/passwd\"}"));

        assertThat(chunk).isEqualTo(invalid("v1", 0, true, 5L,
                "reference uri 'file:///etc/passwd' is outside the allowed prefixes [file:///data/]"));
    }

    @Test
    void dotDotCannotEscapeThePrefix() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"uri\":\"file:///data/../etc/passwd\"}"));

        assertThat(chunk).isEqualTo(invalid("v1", 0, true, 5L,
                "reference uri 'file:///data/../etc/passwd' is outside the allowed prefixes [file:///data/]"));
    }

    @Test
    void percentEncodedDotDotCannotEscapeThePrefix() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"uri\":\"file:///data/%2e%2e/etc/passwd\"}"));

        assertThat(chunk).isEqualTo(invalid("v1", 0, true, 5L,
                "reference uri 'file:///data/%2e%2e/etc/passwd' is outside the allowed prefixes [file:///data/]"));
    }

    @Test
    void dotDotAboveTheRootIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"uri\":\"file:///data/../../data/a.mp4\"}"));

        assertThat(chunk).isEqualTo(invalid("v1", 0, true, 5L,
                "reference uri is not a plain absolute path: 'file:///data/../../data/a.mp4'"));
    }

    @Test
    void siblingDirectorySharingThePrefixTextIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"uri\":\"file:///database/a.mp4\"}"));

        assertThat(ChunkContentTypes.reasonOf(chunk)).isEqualTo(
                "reference uri 'file:///database/a.mp4' is outside the allowed prefixes [file:///data/]" + AT);
    }

    @Test
    void referenceThatIsNotJsonIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("file:///data/a.mp4"));

        assertThat(chunk.contentType()).isEqualTo(ChunkContentTypes.INVALID);
        assertThat(chunk.videoId()).isEqualTo("v1");
        assertThat(ChunkContentTypes.reasonOf(chunk)).startsWith("bad reference value: not JSON").endsWith(AT);
    }

    @Test
    void aReferenceValueFarLargerThanAnyReferenceIsNotParsed() {
        var large = new MediaChunkDeserializer(ReferencePolicy.allowing("file:///data/"), 16 << 20);
        // 4 MiB of empty arrays: about 80 MB of parsed tree
        String flood = "[" + "[],".repeat((4 << 20) / 3) + "[]]";
        MediaChunk chunk = large.toChunk(reference(flood));
        assertThat(ChunkContentTypes.reasonOf(chunk)).startsWith("bad reference value: " + flood.length() + " bytes")
                .contains("limit of " + MediaChunkDeserializer.MAX_REFERENCE_BYTES);
        // the longest URI a reference may hold, every character escaped, still fits
        String uri = "file:///data/" + "a".repeat(ReferencePolicy.MAX_URI_CHARS - 13);
        String escaped = uri.chars().mapToObj(c -> String.format("\\u%04x", c)).collect(
                java.util.stream.Collectors.joining());
        MediaChunk longest = large.toChunk(reference("{\"uri\":\"" + escaped + "\"}"));
        assertThat(longest.uri()).isEqualTo(uri);
    }

    @Test
    void anOverLongContentTypeIsInvalidInAHeaderAndInAReference() {
        String type = "video/mp2t; x=" + "y".repeat(2000);
        MediaChunk header = DESERIALIZER.toChunk(record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "0",
                ChunkHeaders.LAST, "false", ChunkHeaders.CONTENT_TYPE, type));
        assertThat(ChunkContentTypes.reasonOf(header)).startsWith("content type (header) of " + type.length());
        var large = new MediaChunkDeserializer(ReferencePolicy.allowing("file:///data/"), 16 << 20);
        MediaChunk reference = large.toChunk(reference("{\"uri\":\"file:///data/a.mp4\",\"contentType\":\""
                + type + "\"}"));
        assertThat(ChunkContentTypes.reasonOf(reference)).startsWith("content type (reference) of " + type.length());
        MediaChunk fine = DESERIALIZER.toChunk(record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "0",
                ChunkHeaders.LAST, "false", ChunkHeaders.CONTENT_TYPE, "video/mp2t; codecs=\"avc1.64001f, mp4a.40.2\""));
        assertThat(fine.contentType()).startsWith("video/mp2t");
    }

    @Test
    void referenceWithoutUriIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"url\":\"file:///data/a.mp4\"}"));

        assertThat(chunk).isEqualTo(invalid("v1", 0, true, 5L, "bad reference value: no string field \"uri\""));
    }

    @Test
    void missingKeyIsInvalidAndIdentifiedByPosition() {
        MediaChunk chunk = DESERIALIZER.toChunk(record(null, new byte[] {1},
                ChunkHeaders.SEQUENCE, "3", ChunkHeaders.LAST, "false", ChunkHeaders.PRODUCED_AT_MS, "7"));

        // its own id, and no place in a sequence: the job answers it at once instead of waiting for chunks 0..2
        assertThat(chunk).isEqualTo(invalid("unknown-chunks-1-42", ChunkContentTypes.UNKNOWN_SEQUENCE, true, 7L,
                "missing key"));
        assertThat(DESERIALIZER.toChunk(record(" ", new byte[] {1}, ChunkHeaders.SEQUENCE, "3", ChunkHeaders.LAST,
                "false"))).isEqualTo(invalid("unknown-chunks-1-42", ChunkContentTypes.UNKNOWN_SEQUENCE, true, 0L,
                "empty key"));
    }

    @Test
    void aKeyThatIsNotUtf8IsInvalidUnderOneIdForAllItsChunks() {
        byte[] key = {(byte) 0xC3, (byte) 0x28, 'v'};
        ConsumerRecord<byte[], byte[]> first = new ConsumerRecord<>(TOPIC, 1, 42L, key, new byte[] {1});
        first.headers().add(ChunkHeaders.SEQUENCE, "0".getBytes(UTF_8)).add(ChunkHeaders.LAST, "false".getBytes(UTF_8));
        ConsumerRecord<byte[], byte[]> second = new ConsumerRecord<>(TOPIC, 0, 7L, key.clone(), new byte[] {1});
        second.headers().add(ChunkHeaders.SEQUENCE, "1".getBytes(UTF_8)).add(ChunkHeaders.LAST, "true".getBytes(UTF_8));
        MediaChunk a = DESERIALIZER.toChunk(first);
        MediaChunk b = DESERIALIZER.toChunk(second);
        assertThat(a.videoId()).startsWith("invalid-key-sha256-").isEqualTo(b.videoId());
        assertThat(ChunkContentTypes.reasonOf(a)).contains("key is not valid UTF-8");
        // in sequence, so the video's last chunk still ends it
        assertThat(a.sequence()).isZero();
        assertThat(b.sequence()).isEqualTo(1);
        assertThat(b.last()).isTrue();
    }

    @Test
    void aSequenceTheJobCannotPlaceLeavesTheInvalidChunkWithoutOne() {
        // invalid for another reason (no value), its sequence beyond 2^53: kept, it waited at that place for ever
        MediaChunk chunk = DESERIALIZER.toChunk(record("v1", null, ChunkHeaders.SEQUENCE, "9007199254740993",
                ChunkHeaders.LAST, "false"));
        assertThat(ChunkContentTypes.isInvalid(chunk)).isTrue();
        assertThat(chunk.sequence()).isEqualTo(ChunkContentTypes.UNKNOWN_SEQUENCE);
    }

    @Test
    void aReferenceCannotClaimAReservedContentType() {
        for (String type : List.of(ChunkContentTypes.INVALID, ChunkContentTypes.REFERENCE, "Application/VND.lipsync.invalid")) {
            MediaChunk chunk = DESERIALIZER.toChunk(reference("{\"uri\":\"file:///data/a.mp4\",\"contentType\":\""
                    + type + "\"}"));
            assertThat(ChunkContentTypes.isInvalid(chunk)).as(type).isTrue();
            assertThat(ChunkContentTypes.reasonOf(chunk)).contains("is reserved");
        }
        // and a chunk that only bears the type, without its reason, is not taken for one
        assertThat(ChunkContentTypes.isInvalid(new MediaChunk("v", 0, true, ChunkContentTypes.INVALID,
                MediaChunk.UNKNOWN_START, null, "file:///data/a.mp4", 0))).isFalse();
    }

    @Test
    void contentTypesAreComparedAsMediaTypesWithoutCaseOrParameters() {
        MediaChunk chunk = DESERIALIZER.toChunk(record("v1", "{\"uri\":\"file:///data/a.mp4\"}".getBytes(UTF_8),
                ChunkHeaders.SEQUENCE, "0", ChunkHeaders.LAST, "true", ChunkHeaders.CONTENT_TYPE,
                "Application/VND.lipsync.ref+json; charset=utf-8"));
        assertThat(chunk.isReference()).isTrue();
        assertThat(chunk.uri()).isEqualTo("file:///data/a.mp4");
        MediaChunk forged = DESERIALIZER.toChunk(record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "0",
                ChunkHeaders.LAST, "true", ChunkHeaders.CONTENT_TYPE, ChunkContentTypes.INVALID.toUpperCase() + ";x=1"));
        assertThat(ChunkContentTypes.reasonOf(forged)).contains("is reserved");
    }

    @Test
    void anOverLongKeyIsInvalidUnderAShortIdOfItsOwn() {
        String longId = "v".repeat(MediaChunkDeserializer.MAX_KEY_BYTES + 1);
        MediaChunk chunk = DESERIALIZER.toChunk(record(longId, new byte[] {1},
                ChunkHeaders.SEQUENCE, "2", ChunkHeaders.LAST, "true", ChunkHeaders.PRODUCED_AT_MS, "7"));

        String id = MediaChunkDeserializer.oversizedKeyId(longId.getBytes(UTF_8));
        assertThat(id).startsWith("oversized-key-sha256-").hasSize("oversized-key-sha256-".length() + 64);
        assertThat(chunk).isEqualTo(invalid(id, 2, true, 7L, "key of 4097 bytes exceeds the limit of 4096 bytes"));
        // every chunk of that key goes by the same id, another key by another
        assertThat(MediaChunkDeserializer.oversizedKeyId(longId.getBytes(UTF_8))).isEqualTo(id);
        assertThat(MediaChunkDeserializer.oversizedKeyId((longId + "w").getBytes(UTF_8))).isNotEqualTo(id);
        // a key at the limit is a video id
        String atLimit = "v".repeat(MediaChunkDeserializer.MAX_KEY_BYTES);
        assertThat(DESERIALIZER.toChunk(record(atLimit, new byte[] {1}, ChunkHeaders.SEQUENCE, "0",
                ChunkHeaders.LAST, "true")).videoId()).isEqualTo(atLimit);
    }

    @Test
    void headerNumbersTheJobCannotCountOnFromAreInvalid() {
        MediaChunk huge = DESERIALIZER.toChunk(record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE,
                "9223372036854775807", ChunkHeaders.LAST, "false"));
        assertThat(ChunkContentTypes.isInvalid(huge)).isTrue();
        assertThat(ChunkContentTypes.reasonOf(huge)).contains("lsg-seq", "is above 9007199254740992");
        MediaChunk far = DESERIALIZER.toChunk(record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "0",
                ChunkHeaders.LAST, "true", ChunkHeaders.MEDIA_START_US, "-9223372036854775808"));
        assertThat(ChunkContentTypes.reasonOf(far)).contains("lsg-media-start-us");
        // at the limits they are fine
        assertThat(DESERIALIZER.toChunk(record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "9007199254740992",
                ChunkHeaders.LAST, "false", ChunkHeaders.MEDIA_START_US, "-1000000000000000")).sequence())
                .isEqualTo(9007199254740992L);
    }

    @Test
    void badSequenceHeaderIsInvalidWithUnknownSequence() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "abc", ChunkHeaders.LAST, "true"));

        assertThat(chunk).isEqualTo(
                invalid("v1", ChunkContentTypes.UNKNOWN_SEQUENCE, true, 0L, "bad header lsg-seq: 'abc'"));
    }

    @Test
    void negativeSequenceIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "-4", ChunkHeaders.LAST, "false"));

        assertThat(chunk).isEqualTo(
                invalid("v1", ChunkContentTypes.UNKNOWN_SEQUENCE, false, 0L, "bad header lsg-seq: '-4'"));
    }

    @Test
    void missingSequenceHeaderIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(record("v1", new byte[] {1}, ChunkHeaders.LAST, "false"));

        assertThat(chunk).isEqualTo(
                invalid("v1", ChunkContentTypes.UNKNOWN_SEQUENCE, false, 0L, "missing header lsg-seq"));
    }

    @Test
    void badLastHeaderIsInvalidButKeepsTheSequence() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "8", ChunkHeaders.LAST, "yes"));

        assertThat(chunk).isEqualTo(invalid("v1", 8, false, 0L, "bad header lsg-last: 'yes'"));
    }

    @Test
    void oversizeValueIsInvalidAndNotCopied() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                record("v1", new byte[1025], ChunkHeaders.SEQUENCE, "2", ChunkHeaders.LAST, "true"));

        assertThat(chunk).isEqualTo(
                invalid("v1", 2, true, 0L, "value of 1025 bytes exceeds the limit of 1024 bytes"));
    }

    @Test
    void valueAtTheLimitIsAccepted() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                record("v1", new byte[1024], ChunkHeaders.SEQUENCE, "2", ChunkHeaders.LAST, "true"));

        assertThat(chunk.inlineSize()).isEqualTo(1024);
        assertThat(chunk.contentType()).isNull();
    }

    @Test
    void tombstoneIsInvalid() {
        MediaChunk chunk = DESERIALIZER.toChunk(
                record("v1", null, ChunkHeaders.SEQUENCE, "2", ChunkHeaders.LAST, "false"));

        assertThat(chunk).isEqualTo(invalid("v1", 2, false, 0L, "missing value"));
    }

    @Test
    void producerCannotForgeAnInvalidChunk() {
        MediaChunk chunk = DESERIALIZER.toChunk(record("v1", "all good".getBytes(UTF_8), ChunkHeaders.SEQUENCE,
                "2", ChunkHeaders.LAST, "false", ChunkHeaders.CONTENT_TYPE, ChunkContentTypes.INVALID));

        assertThat(chunk).isEqualTo(
                invalid("v1", 2, false, 0L, "content type application/vnd.lipsync.invalid is reserved"));
    }

    @Test
    void denyAllPolicyRefusesEveryReference() {
        MediaChunkDeserializer deserializer = new MediaChunkDeserializer(ReferencePolicy.denyAll());

        MediaChunk chunk = deserializer.toChunk(reference("{\"uri\":\"file:///data/a.mp4\"}"));

        assertThat(ChunkContentTypes.reasonOf(chunk))
                .isEqualTo("reference uri 'file:///data/a.mp4' is outside the allowed prefixes []" + AT);
    }

    @Test
    void emitsExactlyOneChunkPerRecordAndSurvivesJavaSerialisation() throws Exception {
        MediaChunkDeserializer copy = InstantiationUtil.clone(DESERIALIZER);
        List<MediaChunk> out = new ArrayList<>();

        copy.deserialize(record("v1", new byte[] {1}, ChunkHeaders.SEQUENCE, "0", ChunkHeaders.LAST, "true"),
                new ListCollector<>(out));
        copy.deserialize(record(null, null), new ListCollector<>(out));

        assertThat(out).hasSize(2);
        assertThat(out.get(0).payload()).containsExactly(1);
        assertThat(out.get(1).contentType()).isEqualTo(ChunkContentTypes.INVALID);
    }
}
