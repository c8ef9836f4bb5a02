package io.lipsyncguard.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lipsyncguard.connectors.MediaChunk;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ChunkProducer} and {@link EmbeddedKafka} against each other: size limits, transactions, pacing, close. */
class ChunkProducerITCase {

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final MediaChunkDeserializer DESERIALIZER =
            new MediaChunkDeserializer(ReferencePolicy.allowing("file:///data/"));

    @Test
    void chunkAtTheSizeLimitPassesBrokerAndConsumer() throws Exception {
        String topic = KAFKA.freshTopic("chunks", 3);
        byte[] payload = new byte[KafkaLimits.DEFAULT_MAX_RECORD_BYTES];
        Arrays.fill(payload, (byte) 7);
        MediaChunk big = new MediaChunk("big", 0, true, "video/mp4", 0L, payload, null, 11L);

        try (ChunkProducer producer = ChunkProducer.builder(KAFKA.bootstrapServers(), topic).build()) {
            producer.send(big);
        }

        assertThat(readAll(topic, "read_committed")).containsExactly(big);
    }

    @Test
    void chunkOverTheLimitIsRefusedBeforeAnythingIsSent() throws Exception {
        String topic = KAFKA.freshTopic("chunks", 3);
        MediaChunk small = new MediaChunk("v", 0, false, null, 0L, new byte[10], null, 1L);
        MediaChunk tooBig = new MediaChunk("v", 1, true, null, 0L, new byte[11], null, 1L);

        try (ChunkProducer producer =
                ChunkProducer.builder(KAFKA.bootstrapServers(), topic).maxRecordBytes(10).build()) {
            assertThatThrownBy(() -> producer.send(List.of(small, tooBig)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("11 bytes exceeds the limit of 10 bytes");
        }

        assertThat(readAll(topic, "read_uncommitted")).isEmpty();
    }

    @Test
    void chunksTheJobWouldRefuseAreRefusedBeforeAnythingIsSent() throws Exception {
        String topic = KAFKA.freshTopic("chunks", 1);
        MediaChunk fine = new MediaChunk("v", 0, false, null, 0L, new byte[10], null, 1L);
        List<MediaChunk> refused = List.of(
                new MediaChunk("v".repeat(MediaChunkDeserializer.MAX_KEY_BYTES + 1), 0, true, null, 0L,
                        new byte[1], null, 1L),
                new MediaChunk("v", (1L << 53) + 1, true, null, 0L, new byte[1], null, 1L),
                new MediaChunk("v", 1, true, null, 1_000_000_000_000_001L, new byte[1], null, 1L),
                new MediaChunk("v\uD800", 1, true, null, 0L, new byte[1], null, 1L),
                new MediaChunk("v", 1, true, "Application/VND.lipsync.ref+json; charset=utf-8", 0L, new byte[1], null,
                        1L),
                new MediaChunk("v", 1, true, "video/mp2t;" + "x".repeat(1014), 0L, new byte[1], null, 1L),
                new MediaChunk("v", 1, true, "video/mp4;" + "x".repeat(1015), 0L, null, "file:///data/v.mp4", 1L),
                new MediaChunk("v", 1, true, null, 0L, null, "file:///data/" + "a".repeat(16_372), 1L));
        List<String> why = List.of("exceeds the key limit of 4096 bytes", "is outside 0..9007199254740992",
                "is beyond ±1000000000000000", "not valid Unicode", "is reserved",
                "content type of 1025 characters exceeds the limit of 1024",
                "content type of 1025 characters exceeds the limit of 1024",
                "reference uri of 16385 characters exceeds the limit of 16384");
        try (ChunkProducer producer = ChunkProducer.builder(KAFKA.bootstrapServers(), topic).build()) {
            for (int i = 0; i < refused.size(); i++) {
                MediaChunk bad = refused.get(i);
                assertThatThrownBy(() -> producer.send(List.of(fine, bad)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why.get(i));
            }
        }
        assertThat(readAll(topic, "read_uncommitted")).isEmpty();
        // the producer measures no reference value: its URI and content type limits keep it under the consumer's,
        // each character escaped to six bytes, with room for the JSON around them
        assertThat((ReferencePolicy.MAX_URI_CHARS + MediaChunkDeserializer.MAX_CONTENT_TYPE_CHARS) * 6 + 64)
                .isLessThan(MediaChunkDeserializer.MAX_REFERENCE_BYTES);
        // at the limits, chunks pass producer and consumer alike
        MediaChunk atLimits = new MediaChunk("v".repeat(MediaChunkDeserializer.MAX_KEY_BYTES), 1L << 53, true,
                "video/mp2t;" + "x".repeat(1013), -1_000_000_000_000_000L, new byte[1], null, 1L);
        MediaChunk referenceAtLimits = new MediaChunk("r", 0, true, "video/mp4;" + "x".repeat(1014), 0L, null,
                "file:///data/" + "a".repeat(16_371), 1L);
        try (ChunkProducer producer = ChunkProducer.builder(KAFKA.bootstrapServers(), topic).build()) {
            producer.send(atLimits);
            producer.send(referenceAtLimits);
        }
        assertThat(readAll(topic, "read_committed")).containsExactlyInAnyOrder(atLimits, referenceAtLimits);
    }

    @Test
    void transactionalProducerCommitsEachSend() throws Exception {
        String topic = KAFKA.freshTopic("chunks", 3);
        List<MediaChunk> chunks = List.of(
                new MediaChunk("t", 0, false, "video/mp2t", 0L, new byte[] {1}, null, 0L),
                new MediaChunk("t", 1, true, null, MediaChunk.UNKNOWN_START, null, "file:///data/t.ts", 0L));
        Clock fixed = Clock.fixed(Instant.ofEpochMilli(1_234L), ZoneOffset.UTC);

        try (ChunkProducer producer = ChunkProducer.builder(KAFKA.bootstrapServers(), topic)
                .transactionalId("it-" + topic)
                .wallClock(fixed)
                .build()) {
            producer.send(chunks);
        }

        // producedAtMs 0 means "stamp on send": the injected clock's time.
        assertThat(readAll(topic, "read_committed")).containsExactly(
                new MediaChunk("t", 0, false, "video/mp2t", 0L, new byte[] {1}, null, 1_234L),
                new MediaChunk("t", 1, true, null, MediaChunk.UNKNOWN_START, null, "file:///data/t.ts", 1_234L));
    }

    @Test
    void pacedProducerWaitsForMediaTime() throws Exception {
        String topic = KAFKA.freshTopic("chunks", 3);
        AtomicLong now = new AtomicLong();
        List<Duration> sleeps = new ArrayList<>();
        RealTimePacer pacer = new RealTimePacer(now::get, d -> {
            sleeps.add(d);
            now.addAndGet(d.toNanos());
        });
        List<MediaChunk> chunks = new ArrayList<>();
        for (int seq = 0; seq < 4; seq++) {
            chunks.add(new MediaChunk(
                    "p", seq, seq == 3, "video/mp2t", seq * 500_000L, new byte[] {(byte) seq}, null, 1L));
        }

        try (ChunkProducer producer = ChunkProducer.builder(KAFKA.bootstrapServers(), topic).pacer(pacer).build()) {
            producer.send(chunks);
        }

        assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500));
        assertThat(readAll(topic, "read_committed")).containsExactlyElementsOf(chunks);
    }

    /** Every record now in {@code topic}, as the deserializer turns them into chunks, in partition order. */
    private static List<MediaChunk> readAll(String topic, String isolationLevel) {
        return TopicReader.readAll(KAFKA.bootstrapServers(), topic, isolationLevel).stream()
                .map(DESERIALIZER::toChunk)
                .toList();
    }

    @Test
    void closingTheBrokerTwiceIsHarmless() throws Exception {
        EmbeddedKafka own = EmbeddedKafka.start();
        own.close();
        own.close(); // the test kit's own close() fails when repeated; ours must not
    }
}
