package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.models.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded job of {@code run} keeps checkpointing, and so committing verdicts, while a subtask holds more than the
 * 5 MB that Flink's default JobManager checkpoint storage takes: before, every checkpoint failed and restarted the
 * job, and a read_committed consumer saw no verdict at all.
 */
class EmbeddedCheckpointITCase {

    @TempDir
    Path tmp;

    @Test
    void verdictsAreCommittedWhileChunksOfManyMegabytesWaitInState() throws Exception {
        var conf = RunCommand.embeddedConfiguration(tmp);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        // restarts bounded by their rate, not by a count over the process's life
        assertThat(conf.get(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("failure-rate");
        java.util.function.Supplier<Long> checkpointDirs = () -> TempDirs.count("lipsync-checkpoints");
        long dirsBefore = checkpointDirs.get();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("big-chunks", 1);
            kafka.createTopic("big-verdicts", 1);
            kafka.createTopic("big-errors", 1);
            Path clip = tmp.resolve("fine.mp4");
            TalkingHeadGenerator.write(clip, SampleSpec.inSync(81, 4));
            JobConfig config = JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU);
            KafkaJobSettings settings = KafkaJobSettings.defaults(kafka.bootstrapServers())
                    .withTopics("big-chunks", "big-verdicts", "big-errors", null)
                    .withDelivery(DeliveryGuarantee.EXACTLY_ONCE, Duration.ofMillis(500));
            JobClient job = RunCommand.start(config, settings, 1);
            try (ChunkProducer p = ChunkProducer.builder(kafka.bootstrapServers(), "big-chunks").build();
                    KafkaConsumer<String, String> verdicts = RunCommand.readCommittedConsumer(
                            kafka.bootstrapServers(), "big-verdicts", "it-big")) {
                // chunks 1 and 2 of a video whose chunk 0 has not come: 6 MB wait in keyed state
                byte[] held = new byte[3 << 20];
                new Random(3).nextBytes(held);
                p.send(new MediaChunk("held", 1, false, "video/mp2t", MediaChunk.UNKNOWN_START, held, null, 0));
                p.send(new MediaChunk("held", 2, false, "video/mp2t", MediaChunk.UNKNOWN_START, held, null, 0));
                p.send(new MediaChunk("fine", 0, true, "video/mp4", MediaChunk.UNKNOWN_START, Files.readAllBytes(clip),
                        null, 0));
                p.flush();
                ObjectMapper json = new ObjectMapper();
                JsonNode fine = null;
                long deadline = System.currentTimeMillis() + 120_000;
                while (fine == null && System.currentTimeMillis() < deadline) {
                    for (ConsumerRecord<String, String> r : verdicts.poll(Duration.ofMillis(500))) {
                        JsonNode v = json.readTree(r.value());
                        if ("fine".equals(v.get("videoId").asText()) && "FINAL".equals(v.get("kind").asText())) {
                            fine = v;
                        }
                    }
                }
                assertThat(fine).as("the FINAL verdict of the short video, committed by a checkpoint").isNotNull();
                assertThat(fine.get("verdict").asText()).isEqualTo("REAL");
            } finally {
                job.cancel().get();
            }
            // the job's checkpoints go with it
            long deadline = System.currentTimeMillis() + 30_000;
            while (checkpointDirs.get() > dirsBefore && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertThat(checkpointDirs.get()).isEqualTo(dirsBefore);
        }
    }
}
