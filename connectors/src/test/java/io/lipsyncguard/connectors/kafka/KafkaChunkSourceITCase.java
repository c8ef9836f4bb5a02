package io.lipsyncguard.connectors.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.MediaChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.collect.CollectSinkOperatorFactory;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Chunks written by {@link ChunkProducer} to a real broker arrive intact through a Flink job's Kafka source. */
class KafkaChunkSourceITCase {

    private static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build());

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void everyChunkOfTwoVideosArrivesWithItsHeadersAndPayload() throws Exception {
        String topic = KAFKA.freshTopic("chunks", 3);
        List<MediaChunk> alpha = new ArrayList<>();
        for (int seq = 0; seq < 6; seq++) {
            // One chunk of 3 MiB: above Kafka's 1 MiB default, so the size limits must be in place end to end.
            int size = seq == 2 ? 3 * 1024 * 1024 : 1000 + seq;
            alpha.add(new MediaChunk("alpha", seq, seq == 5, "video/mp2t", seq * 2_000_000L, bytes(size, seq), null,
                    1_700_000_000_000L + seq));
        }
        List<MediaChunk> beta = List.of(
                new MediaChunk("beta", 0, false, "video/mp4", MediaChunk.UNKNOWN_START, null,
                        "file:///data/beta/part0.mp4", 1_700_000_001_000L),
                new MediaChunk("beta", 1, false, null, 0L, null, "file:///data/beta/part1.mp4", 1_700_000_001_001L),
                new MediaChunk("beta", 2, true, "video/webm", 4_000_000L, bytes(10, 99), null, 1_700_000_001_002L));
        List<MediaChunk> interleaved = new ArrayList<>();
        for (int i = 0; i < alpha.size(); i++) {
            interleaved.add(alpha.get(i));
            if (i < beta.size()) {
                interleaved.add(beta.get(i));
            }
        }
        List<RecordMetadata> written;
        try (ChunkProducer producer = ChunkProducer.builder(KAFKA.bootstrapServers(), topic).build()) {
            written = producer.send(interleaved);
        }
        assertThat(written).hasSize(interleaved.size());

        List<MediaChunk> received = readAll(topic, ReferencePolicy.allowing("file:///data/"));

        assertThat(received).containsExactlyInAnyOrderElementsOf(interleaved);
        // One video's chunks share a key, hence a partition and a source split: their order survives.
        assertThat(received.stream().filter(c -> c.videoId().equals("alpha"))).containsExactlyElementsOf(alpha);
        assertThat(received.stream().filter(c -> c.videoId().equals("beta"))).containsExactlyElementsOf(beta);
    }

    @Test
    void refusedReferencesAndMalformedRecordsArriveAsInvalidChunks() throws Exception {
        String topic = KAFKA.freshTopic("chunks", 3);
        MediaChunk escaping = new MediaChunk("gamma", 0, false, null, MediaChunk.UNKNOWN_START, null,
                "file:///data/../etc/passwd", 5L);
        MediaChunk fine = new MediaChunk("gamma", 1, true, "video/mp2t", 0L, bytes(64, 1), null, 6L);
        RecordMetadata escapingAt;
        RecordMetadata missingKeyAt;
        try (ChunkProducer producer = ChunkProducer.builder(KAFKA.bootstrapServers(), topic).build()) {
            escapingAt = producer.send(List.of(escaping, fine)).get(0);
        }
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, null, "x".getBytes(UTF_8));
            record.headers().add(ChunkHeaders.SEQUENCE, "4".getBytes(UTF_8));
            missingKeyAt = raw.send(record).get();
        }

        List<MediaChunk> received = readAll(topic, ReferencePolicy.allowing("file:///data/"));

        assertThat(received).containsExactlyInAnyOrder(
                ChunkContentTypes.invalid("gamma", 0, false, 5L,
                        "reference uri 'file:///data/../etc/passwd' is outside the allowed prefixes [file:///data/]"
                                + " (record " + topic + "-" + escapingAt.partition() + "@" + escapingAt.offset() + ")"),
                fine,
                ChunkContentTypes.invalid("unknown-" + topic + "-0-" + missingKeyAt.offset(),
                        ChunkContentTypes.UNKNOWN_SEQUENCE, true, 0L,
                        "missing key (record " + topic + "-0@" + missingKeyAt.offset() + ")"));
    }

    /** Runs a bounded Flink job reading the whole topic as it is now. */
    private static List<MediaChunk> readAll(String topic, ReferencePolicy policy) throws Exception {
        Configuration config = new Configuration();
        // The collect sink refuses records above 2 MiB by default; the chunks here go up to 3 MiB.
        config.set(CollectSinkOperatorFactory.MAX_BATCH_SIZE, MemorySize.ofMebiBytes(8));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        KafkaSource<MediaChunk> source = KafkaChunkSources
                .builder(KafkaSourceSettings.forTopic(KAFKA.bootstrapServers(), topic, "it-" + topic), policy)
                .setBounded(OffsetsInitializer.latest())
                .build();
        List<MediaChunk> received = new ArrayList<>();
        try (CloseableIterator<MediaChunk> it =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "chunks").executeAndCollect()) {
            it.forEachRemaining(received::add);
        }
        return received;
    }
}
