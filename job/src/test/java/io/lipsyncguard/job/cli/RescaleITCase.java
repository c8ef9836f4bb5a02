package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.AnalyzeJob;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.StreamingJob;
import io.lipsyncguard.job.media.MediaChunker;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.models.Device;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job is stopped with a savepoint mid-video and resumed from it at another parallelism, twice
 * (2 → 1 → 2), as an operator upgrade or the autoscaler does: the keyed decoder and aggregator state, the async
 * scorer's queue and the sinks' transactions move to other subtasks, and every video still gets exactly one FINAL
 * verdict, the same one an uninterrupted analysis of the same bytes gives, and no error record.
 */
class RescaleITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(LipsyncWorkflow.baseConfiguration())
                    .build());

    @TempDir
    Path tmp;

    @Test
    void aSavepointRestoresAtAnotherParallelismWithExactlyOneFinalVerdictPerVideo() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("rescale-chunks", 2);
            kafka.createTopic("rescale-verdicts", 1);
            kafka.createTopic("rescale-errors", 1);
            List<Path> videos = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path v = tmp.resolve("in_sync_" + i + ".mp4");
                TalkingHeadGenerator.write(v, SampleSpec.inSync(60 + i, 10));
                videos.add(v);
            }
            Path shifted = tmp.resolve("shifted.mp4");
            TalkingHeadGenerator.write(shifted, SampleSpec.shifted(62, 10, 400));
            videos.add(shifted);
            List<MediaChunk> chunks = PublishCommand.chunksOf(videos, 1.0, "ts");
            JobConfig config = JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU)
                    .withRolling(1, 0);
            KafkaJobSettings settings = KafkaJobSettings.defaults(kafka.bootstrapServers())
                    .withTopics("rescale-chunks", "rescale-verdicts", "rescale-errors", null)
                    .withDelivery(DeliveryGuarantee.EXACTLY_ONCE, Duration.ofMillis(500));
            Map<String, List<JsonNode>> finals = new HashMap<>();
            Map<String, Long> latestRolling = new HashMap<>();
            ObjectMapper json = new ObjectMapper();
            int[] parallelism = {2, 1, 2};
            // each phase sends up to this share of the chunks: the first half leaves every video windows to score
            double[] upTo = {0.5, 0.75, 1.0};
            String savepoint = null;
            try (ChunkProducer p = ChunkProducer.builder(kafka.bootstrapServers(), "rescale-chunks").build();
                    KafkaConsumer<String, String> verdicts = RunCommand.readCommittedConsumer(
                            kafka.bootstrapServers(), "rescale-verdicts", "it-rescale");
                    KafkaConsumer<String, String> errors = RunCommand.readCommittedConsumer(
                            kafka.bootstrapServers(), "rescale-errors", "it-rescale-errors")) {
                for (int phase = 0; phase < parallelism.length; phase++) {
                    Configuration conf = new Configuration();
                    if (savepoint != null) {
                        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                    }
                    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
                    env.setParallelism(parallelism[phase]);
                    StreamingJob.build(env, config, settings);
                    JobClient job = env.executeAsync("rescale-it-" + phase);
                    int from = phase == 0 ? 0 : (int) (chunks.size() * upTo[phase - 1]);
                    int to = (int) (chunks.size() * upTo[phase]);
                    for (MediaChunk c : chunks.subList(from, to)) {
                        p.send(c);
                    }
                    p.flush();
                    long deadline = System.currentTimeMillis() + 120_000;
                    boolean stopped = false;
                    try {
                        if (phase < parallelism.length - 1) {
                            // stop once this job has given committed verdicts on media the previous one had not
                            Map<String, Long> seen = new HashMap<>(latestRolling);
                            while (!progressed(seen, latestRolling) && System.currentTimeMillis() < deadline) {
                                poll(verdicts, json, finals, latestRolling);
                            }
                            assertThat(progressed(seen, latestRolling)).as("new rolling verdicts in phase %d", phase)
                                    .isTrue();
                            savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL).get();
                            stopped = true;
                            // what the stopped job committed with its savepoint is read before the next job starts
                            long quiet = System.currentTimeMillis() + 3000;
                            while (System.currentTimeMillis() < quiet) {
                                poll(verdicts, json, finals, latestRolling);
                            }
                        } else {
                            while (finals.size() < videos.size() && System.currentTimeMillis() < deadline) {
                                poll(verdicts, json, finals, latestRolling);
                            }
                            long settle = System.currentTimeMillis() + 4000;
                            while (System.currentTimeMillis() < settle) {
                                poll(verdicts, json, finals, latestRolling);
                            }
                        }
                    } finally {
                        if (!stopped) {
                            cancel(job);
                        }
                    }
                }
                // read to the end of the errors topic (its committed end), not just one poll that may see nothing
                List<String> errorRecords = new ArrayList<>();
                long until = System.currentTimeMillis() + 30_000;
                boolean atEnd = false;
                while (!atEnd && System.currentTimeMillis() < until) {
                    for (ConsumerRecord<String, String> r : errors.poll(Duration.ofMillis(500))) {
                        errorRecords.add(r.value());
                    }
                    var assigned = errors.assignment();
                    atEnd = !assigned.isEmpty() && errors.endOffsets(assigned).entrySet().stream()
                            .allMatch(e -> errors.position(e.getKey()) >= e.getValue());
                }
                assertThat(atEnd).as("read the errors topic to its end").isTrue();
                assertThat(errorRecords).as("error records").isEmpty();
            }
            assertThat(finals).hasSize(videos.size());
            Map<String, Verdict> uninterrupted = analyzeStreamedBytes(videos, config);
            for (Path v : videos) {
                String id = v.toAbsolutePath().normalize().toString();
                assertThat(finals.get(id)).as("final verdicts of %s", id).hasSize(1);
                JsonNode streamed = finals.get(id).get(0);
                Verdict analyzed = uninterrupted.get(id);
                assertThat(streamed.get("verdict").asText()).as(id).isEqualTo(analyzed.verdict().name());
                assertThat(streamed.get("offsetMs").asDouble()).as(id).isEqualTo(analyzed.offsetMs());
                assertThat(streamed.at("/windows/total").asLong()).as(id).isEqualTo(analyzed.windows().total());
                assertThat(streamed.at("/windows/scored").asLong()).as(id).isEqualTo(analyzed.windows().scored());
                assertThat(streamed.at("/score/mean").asDouble()).as(id)
                        .isCloseTo(analyzed.score().mean(), offset(0.03));
            }
            JsonNode fake = finals.get(shifted.toAbsolutePath().normalize().toString()).get(0);
            assertThat(fake.get("verdict").asText()).isEqualTo("FAKE");
            assertThat(fake.get("offsetMs").asDouble()).isCloseTo(400.0, offset(40.0));
        }
    }

    private static void poll(KafkaConsumer<String, String> consumer, ObjectMapper json,
            Map<String, List<JsonNode>> finals, Map<String, Long> latestRolling) throws Exception {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
            JsonNode v = json.readTree(r.value());
            String id = v.get("videoId").asText();
            if ("ROLLING".equals(v.get("kind").asText())) {
                latestRolling.merge(id, v.get("mediaMs").asLong(), Math::max);
            } else {
                finals.computeIfAbsent(id, k -> new ArrayList<>()).add(v);
            }
        }
    }

    /** Cancels a job that may still be starting; a failure here must not hide the test's own. */
    private static void cancel(JobClient job) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                job.cancel().get();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(200); // the JobManager is still initialising the job
            }
        }
    }

    /** Whether some video has a rolling verdict on later media than in {@code before}. */
    private static boolean progressed(Map<String, Long> before, Map<String, Long> now) {
        return now.entrySet().stream().anyMatch(e -> e.getValue() > before.getOrDefault(e.getKey(), -1L));
    }

    /** The analyze workflow, uninterrupted, on the very bytes that were streamed: each file's chunks concatenated. */
    private Map<String, Verdict> analyzeStreamedBytes(List<Path> videos, JobConfig config) throws Exception {
        List<Path> wholes = new ArrayList<>();
        Map<String, String> idOf = new HashMap<>();
        for (Path video : videos) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (MediaChunk c : MediaChunker.chunk(video, "x", 1.0, "ts", tmp.resolve("again-" + video.getFileName()))) {
                all.write(c.payload());
            }
            Path whole = tmp.resolve(video.getFileName() + ".streamed.ts");
            Files.write(whole, all.toByteArray());
            wholes.add(whole);
            idOf.put(whole.toAbsolutePath().normalize().toString(), video.toAbsolutePath().normalize().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        Map<String, Verdict> out = new HashMap<>();
        try (CloseableIterator<Verdict> it = AnalyzeJob.build(env, wholes, config).verdicts().executeAndCollect()) {
            while (it.hasNext()) {
                Verdict v = it.next();
                if (v.kind() != VerdictKind.ROLLING) {
                    out.put(idOf.get(v.videoId()), v);
                }
            }
        }
        return out;
    }
}
