package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.models.Device;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long claim-check reference through real Kafka with exactly-once sinks: checkpoints complete while it decodes, so
 * its ROLLING verdicts become visible as it goes and a short video sent after it gets its FINAL verdict first.
 */
class LongReferenceITCase {

    @TempDir
    Path tmp;

    /** A verdict message and when the read_committed consumer received it. */
    record Arrival(long atMs, JsonNode verdict) {}

    @Test
    void checkpointsAndOtherVideosGoOnWhileALongReferenceDecodes() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(51, 8));
        Path longFile = tmp.resolve("long.mkv");
        FfmpegTool.loop(clip, longFile, 25); // 200 s: seconds of decoding even where decoding is fast
        Path shortFile = tmp.resolve("short.mp4");
        TalkingHeadGenerator.write(shortFile, SampleSpec.inSync(52, 4));

        List<MediaChunk> chunks = new ArrayList<>();
        chunks.add(new MediaChunk("long", 0, true, "video/x-matroska", MediaChunk.UNKNOWN_START, null,
                longFile.toUri().toString(), 0));
        chunks.addAll(PublishCommand.chunksOf(List.of(shortFile), 1.0, "ts"));
        String shortId = shortFile.toAbsolutePath().normalize().toString();

        Map<String, List<Arrival>> arrivals = new HashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("chunks", 2);
            kafka.createTopic("verdicts", 1);
            kafka.createTopic("errors", 1);
            JobConfig config = JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU)
                    .withRolling(10, 0);
            KafkaJobSettings settings = KafkaJobSettings.defaults(kafka.bootstrapServers())
                    .withTopics("chunks", "verdicts", "errors", null)
                    .withDelivery(DeliveryGuarantee.EXACTLY_ONCE, Duration.ofMillis(300))
                    .withAllowedPrefixes(List.of(tmp.toUri().toString()));
            JobClient job = RunCommand.start(config, settings, 2);
            ObjectMapper json = new ObjectMapper();
            try (KafkaConsumer<String, String> verdicts =
                    RunCommand.readCommittedConsumer(kafka.bootstrapServers(), "verdicts", "it-long")) {
                try (ChunkProducer p = ChunkProducer.builder(kafka.bootstrapServers(), "chunks").build()) {
                    for (MediaChunk c : chunks) {
                        p.send(c);
                    }
                    p.flush();
                }
                long deadline = System.currentTimeMillis() + 240_000;
                while (System.currentTimeMillis() < deadline && (finals(arrivals, "long") < 1
                        || finals(arrivals, shortId) < 1)) {
                    poll(verdicts, json, arrivals);
                }
                long settle = System.currentTimeMillis() + 3000; // a duplicate FINAL would show up now
                while (System.currentTimeMillis() < settle) {
                    poll(verdicts, json, arrivals);
                }
            } finally {
                job.cancel().get();
            }
        }

        assertThat(finals(arrivals, "long")).isEqualTo(1);
        assertThat(finals(arrivals, shortId)).isEqualTo(1);
        List<Arrival> longVerdicts = arrivals.get("long");
        Arrival longFinal = longVerdicts.get(longVerdicts.size() - 1);
        assertThat(longFinal.verdict().get("kind").asText()).isEqualTo("FINAL");
        assertThat(longFinal.verdict().get("verdict").asText()).isEqualTo("REAL");
        assertThat(longFinal.verdict().at("/windows/total").asInt()).isGreaterThan(400);
        // decoded in one call, every verdict of the file would wait for the checkpoint after it and come at once
        long spreadMs = longFinal.atMs() - longVerdicts.get(0).atMs();
        assertThat(longVerdicts.get(0).verdict().get("kind").asText()).isEqualTo("ROLLING");
        assertThat(spreadMs).as("ROLLING verdicts of the file committed while it decoded").isGreaterThan(1000);
        Arrival shortFinal = arrivals.get(shortId).get(arrivals.get(shortId).size() - 1);
        assertThat(shortFinal.atMs()).as("the short video's FINAL comes before the long file's")
                .isLessThan(longFinal.atMs());
    }

    private static void poll(KafkaConsumer<String, String> consumer, ObjectMapper json,
            Map<String, List<Arrival>> arrivals) throws Exception {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
            JsonNode v = json.readTree(r.value());
            arrivals.computeIfAbsent(v.get("videoId").asText(), k -> new ArrayList<>())
                    .add(new Arrival(System.currentTimeMillis(), v));
        }
    }

    private static long finals(Map<String, List<Arrival>> arrivals, String videoId) {
        return arrivals.getOrDefault(videoId, List.of()).stream()
                .filter(a -> !"ROLLING".equals(a.verdict().get("kind").asText())).count();
    }
}
