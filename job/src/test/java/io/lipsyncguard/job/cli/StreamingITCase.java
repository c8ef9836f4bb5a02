package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.WireSchemas;
import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.media.MediaChunker;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.models.Device;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job against a real embedded Kafka broker (KRaft) at parallelism 2: interleaved videos on a
 * multi-partition topic, exactly-once verdicts for a read_committed consumer, and bad input (duplicate, out-of-order,
 * corrupt chunk, refused reference, missing last chunk) ending in error records and verdicts, never in a crash.
 */
class StreamingITCase {

    @TempDir
    static Path tmp;

    static EmbeddedKafka kafka;
    static final String OVERSIZED_KEY = "k".repeat(9 << 20);
    static final String OVERSIZED_ID = io.lipsyncguard.connectors.kafka.MediaChunkDeserializer.oversizedKeyId(
            OVERSIZED_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    static final Map<String, List<JsonNode>> VERDICTS = new HashMap<>();
    static final List<JsonNode> ERRORS = new ArrayList<>();
    static final List<JsonNode> SCORES = new ArrayList<>();
    static final List<String> RAW_VERDICTS = new ArrayList<>();
    static final List<String> RAW_ERRORS = new ArrayList<>();
    static Path inSync;
    static Path shifted;

    @BeforeAll
    static void runTheJob() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("chunks", 3);
        kafka.createTopic("verdicts", 1);
        kafka.createTopic("errors", 1);
        kafka.createTopic("scores", 2);
        inSync = tmp.resolve("in_sync.mp4");
        TalkingHeadGenerator.write(inSync, SampleSpec.inSync(31, 8));
        shifted = tmp.resolve("shifted.mp4");
        TalkingHeadGenerator.write(shifted, SampleSpec.shifted(32, 8, 400));
        Path bad = tmp.resolve("bad.mp4");
        TalkingHeadGenerator.write(bad, SampleSpec.inSync(33, 6));

        List<MediaChunk> chunks = new ArrayList<>(PublishCommand.chunksOf(List.of(inSync, shifted), 1.0, "ts"));
        // the bad video: chunk 1 twice, chunk 3 before 2, chunk 4 corrupt, and its last chunk never sent
        List<MediaChunk> b = MediaChunker.chunk(bad, "bad", 1.0, "ts", tmp.resolve("bad-chunks"));
        byte[] junk = new byte[4000];
        new Random(5).nextBytes(junk);
        chunks.add(b.get(0));
        chunks.add(b.get(1));
        chunks.add(b.get(1));
        chunks.add(b.get(3));
        chunks.add(b.get(2));
        chunks.add(new MediaChunk("bad", 4, false, "video/mp2t", MediaChunk.UNKNOWN_START, junk, null, 0));
        // a reference outside the allowed prefixes: refused by the deserializer, reported, and the video still ends
        chunks.add(new MediaChunk("refused", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, null,
                "file:///etc/passwd", 0));
        // the shifted clip again as fragmented MP4 segments (placed by their lsg-media-start-us header)
        chunks.addAll(MediaChunker.chunk(shifted, "fmp4", 1.0, "fmp4", tmp.resolve("fmp4-chunks")));
        // the in-sync clip as one claim-check reference under the allowed prefix, read through Flink's FileSystem
        chunks.add(new MediaChunk("by-reference", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, null,
                inSync.toUri().toString(), 0));

        JobConfig config = JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU)
                .withRolling(3, 0).withIdleTimeout(Duration.ofSeconds(8));
        KafkaJobSettings settings = KafkaJobSettings.defaults(kafka.bootstrapServers())
                .withTopics("chunks", "verdicts", "errors", "scores")
                .withDelivery(DeliveryGuarantee.EXACTLY_ONCE, Duration.ofSeconds(1))
                .withAllowedPrefixes(List.of(tmp.toUri().toString()));
        JobClient job = RunCommand.start(config, settings, 2);
        try (ChunkProducer p = ChunkProducer.builder(kafka.bootstrapServers(), "chunks").build()) {
            for (MediaChunk c : chunks) {
                p.send(c);
            }
            p.flush();
        }
        // a key of 9 MiB: as a video id it would make the job's own verdict and error records too large for Kafka;
        // ChunkProducer refuses it, so it comes from another producer, as a foreign client would send it
        java.util.Properties raw = new java.util.Properties();
        raw.put("bootstrap.servers", kafka.bootstrapServers());
        raw.put("max.request.size", String.valueOf(16 << 20));
        try (var foreign = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(raw,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            var record = new org.apache.kafka.clients.producer.ProducerRecord<>("chunks",
                    OVERSIZED_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8), junk);
            record.headers().add("lsg-seq", "0".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .add("lsg-last", "true".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .add("lsg-content-type", "video/mp2t".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            foreign.send(record).get();
        }
        ObjectMapper json = new ObjectMapper();
        long deadline = System.currentTimeMillis() + 180_000;
        try (KafkaConsumer<String, String> verdicts = consumer("verdicts");
                KafkaConsumer<String, String> errors = consumer("errors")) {
            while (System.currentTimeMillis() < deadline && finals() < 7) {
                for (ConsumerRecord<String, String> r : verdicts.poll(Duration.ofMillis(500))) {
                    RAW_VERDICTS.add(r.value());
                    JsonNode v = json.readTree(r.value());
                    assertThat(r.key()).isEqualTo(v.get("videoId").asText());
                    VERDICTS.computeIfAbsent(v.get("videoId").asText(), k -> new ArrayList<>()).add(v);
                }
            }
            // a few more checkpoints: a duplicate FINAL would show up now
            long settle = System.currentTimeMillis() + 4000;
            while (System.currentTimeMillis() < settle) {
                for (ConsumerRecord<String, String> r : verdicts.poll(Duration.ofMillis(500))) {
                    RAW_VERDICTS.add(r.value());
                    JsonNode v = json.readTree(r.value());
                    VERDICTS.computeIfAbsent(v.get("videoId").asText(), k -> new ArrayList<>()).add(v);
                }
                for (ConsumerRecord<String, String> r : errors.poll(Duration.ofMillis(100))) {
                    RAW_ERRORS.add(r.value());
                    ERRORS.add(json.readTree(r.value()));
                }
            }
            try (KafkaConsumer<String, String> scores = consumer("scores")) {
                long quiet = System.currentTimeMillis() + 3000;
                while (System.currentTimeMillis() < quiet) {
                    for (ConsumerRecord<String, String> r : scores.poll(Duration.ofMillis(500))) {
                        JsonNode w = json.readTree(r.value());
                        assertThat(r.key()).isEqualTo(w.get("videoId").asText());
                        SCORES.add(w);
                        quiet = System.currentTimeMillis() + 3000;
                    }
                }
            }
        } finally {
            job.cancel().get();
        }
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static KafkaConsumer<String, String> consumer(String topic) {
        return RunCommand.readCommittedConsumer(kafka.bootstrapServers(), topic, "it-" + topic);
    }

    static long finals() {
        return VERDICTS.values().stream().flatMap(List::stream)
                .filter(v -> !"ROLLING".equals(v.get("kind").asText())).count();
    }

    static List<JsonNode> finalsOf(String id) {
        return VERDICTS.getOrDefault(id, List.of()).stream()
                .filter(v -> !"ROLLING".equals(v.get("kind").asText())).toList();
    }

    static String id(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }

    @Test
    void everyMessageMatchesThePublishedSchema() {
        assertThat(RAW_VERDICTS).isNotEmpty().allSatisfy(m -> assertThat(WireSchemas.verdictProblems(m)).as(m).isEmpty());
        assertThat(RAW_ERRORS).isNotEmpty().allSatisfy(m -> assertThat(WireSchemas.errorProblems(m)).as(m).isEmpty());
    }

    @Test
    void everyVideoGetsExactlyOneFinalVerdict() {
        assertThat(VERDICTS.keySet()).containsExactlyInAnyOrder(id(inSync), id(shifted), "bad", "refused", "fmp4",
                "by-reference", OVERSIZED_ID);
        for (String video : VERDICTS.keySet()) {
            assertThat(finalsOf(video)).as("final verdicts of %s", video).hasSize(1);
        }
    }

    @Test
    void chunkedVideosGetTheVerdictsOfAnalyze() throws Exception {
        JsonNode real = finalsOf(id(inSync)).get(0);
        JsonNode fake = finalsOf(id(shifted)).get(0);
        assertThat(real.get("verdict").asText()).isEqualTo("REAL");
        assertThat(fake.get("verdict").asText()).isEqualTo("FAKE");
        assertThat(fake.get("offsetMs").asDouble()).isCloseTo(400.0, offset(40.0));
        // analyze on the very bytes that were streamed (the chunks concatenated) gives the same verdict
        List<MediaChunk> chunks = MediaChunker.chunk(inSync, "x", 1.0, "ts", tmp.resolve("again"));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (MediaChunk c : chunks) {
            all.write(c.payload());
        }
        Path whole = tmp.resolve("in_sync_streamed.ts");
        Files.write(whole, all.toByteArray());
        var analyzed = AnalyzeCommand.run(List.of(whole),
                JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU), 1).get(0);
        assertThat(real.get("verdict").asText()).isEqualTo(analyzed.verdict().name());
        assertThat(real.get("offsetMs").asDouble()).isEqualTo(analyzed.offsetMs());
        assertThat(real.get("windows").get("total").asLong()).isEqualTo(analyzed.windows().total());
        assertThat(real.get("score").get("mean").asDouble()).isCloseTo(analyzed.score().mean(), offset(0.03));
    }

    @Test
    void theScoresTopicHasEveryWindowOfEveryVideoOnceAndNothingElse() {
        assertThat(SCORES).isNotEmpty().allSatisfy(w -> assertThat(w.get("kind").asText()).isEqualTo("WINDOW"))
                .allSatisfy(w -> assertThat(WireSchemas.windowScoreProblems(w.toString())).as(w.toString()).isEmpty());
        for (String video : List.of(id(inSync), id(shifted), "fmp4", "by-reference")) {
            JsonNode fin = finalsOf(video).get(0);
            List<Long> indexes = SCORES.stream().filter(w -> w.get("videoId").asText().equals(video))
                    .map(w -> w.get("index").asLong()).sorted().toList();
            assertThat(indexes).as(video).hasSize(fin.at("/windows/total").asInt())
                    .doesNotHaveDuplicates().startsWith(0L);
            assertThat(SCORES.stream().filter(w -> w.get("videoId").asText().equals(video)
                    && "SCORED".equals(w.get("status").asText()))).as(video)
                    .hasSize(fin.at("/windows/scored").asInt());
        }
    }

    @Test
    void fragmentedMp4ChunksAndReferencesGetTheSameVerdictsAsTransportStreamChunks() {
        JsonNode ts = finalsOf(id(shifted)).get(0);
        JsonNode fmp4 = finalsOf("fmp4").get(0);
        assertThat(fmp4.get("verdict").asText()).isEqualTo("FAKE");
        assertThat(fmp4.get("offsetMs").asDouble()).isEqualTo(ts.get("offsetMs").asDouble());
        assertThat(fmp4.get("windows").get("scored").asLong())
                .isBetween(ts.get("windows").get("scored").asLong() - 1, ts.get("windows").get("scored").asLong() + 1);
        JsonNode byReference = finalsOf("by-reference").get(0);
        JsonNode inline = finalsOf(id(inSync)).get(0);
        assertThat(byReference.get("verdict").asText()).isEqualTo("REAL");
        assertThat(byReference.get("offsetMs").asDouble()).isEqualTo(inline.get("offsetMs").asDouble());
        assertThat(byReference.get("windows").get("total").asLong())
                .isEqualTo(inline.get("windows").get("total").asLong());
    }

    @Test
    void rollingVerdictsComeInMediaOrderWithRecentStatistics() {
        List<JsonNode> rolling = VERDICTS.get(id(inSync)).stream()
                .filter(v -> "ROLLING".equals(v.get("kind").asText())).toList();
        assertThat(rolling).hasSizeGreaterThanOrEqualTo(2);
        long previous = -1;
        for (JsonNode v : rolling) {
            assertThat(v.get("mediaMs").asLong()).isGreaterThan(previous);
            previous = v.get("mediaMs").asLong();
            assertThat(v.get("recent").get("count").asLong()).isBetween(1L, 5L);
        }
        assertThat(previous).isLessThanOrEqualTo(finalsOf(id(inSync)).get(0).get("mediaMs").asLong());
    }

    @Test
    void badInputEndsInErrorRecordsAndAVerdict() {
        JsonNode bad = finalsOf("bad").get(0);
        assertThat(bad.get("kind").asText()).isEqualTo("FINAL");
        assertThat(bad.get("reasons").toString()).contains("idle");
        assertThat(bad.get("error").asText()).contains("chunk 4 undecodable");
        assertThat(ERRORS).anySatisfy(e -> {
            assertThat(e.get("videoId").asText()).isEqualTo("bad");
            assertThat(e.get("stage").asText()).isEqualTo("decode");
            assertThat(e.get("sequence").asLong()).isEqualTo(4);
        });
        // chunk 1, sent twice, is told once on the error topic and is no problem of the verdict
        assertThat(ERRORS).filteredOn(e -> e.get("videoId").asText().equals("bad")
                && e.get("reason").asText().contains("came after the video had gone past it")).singleElement()
                .satisfies(e -> assertThat(e.get("sequence").asLong()).isEqualTo(1));
        assertThat(bad.get("error").asText()).doesNotContain("gone past it");
        assertThat(ERRORS).anySatisfy(e -> {
            assertThat(e.get("videoId").asText()).isEqualTo("refused");
            assertThat(e.get("stage").asText()).isEqualTo("reference");
            assertThat(e.get("reason").asText()).contains("/etc/passwd");
        });
        JsonNode refused = finalsOf("refused").get(0);
        assertThat(refused.get("kind").asText()).isEqualTo("ERROR");
        // the over-long key goes by its short id, and its error says why
        assertThat(finalsOf(OVERSIZED_ID).get(0).get("kind").asText()).isEqualTo("ERROR");
        assertThat(ERRORS).anySatisfy(e -> {
            assertThat(e.get("videoId").asText()).isEqualTo(OVERSIZED_ID);
            assertThat(e.get("reason").asText()).contains("key of 9437184 bytes exceeds the limit of 4096 bytes");
        });
    }
}
