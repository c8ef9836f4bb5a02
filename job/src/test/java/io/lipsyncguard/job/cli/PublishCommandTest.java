package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code publish} against a real broker, one that does not answer, and with bad options. */
class PublishCommandTest {

    @TempDir
    static Path tmp;

    static Path clip;

    @BeforeAll
    static void clip() throws Exception {
        clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(5, 4));
    }

    @Test
    void chunksArriveKeyedByTheVideo() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("chunks-publish", 1);
            CliRun run = CliRun.of("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic",
                    "chunks-publish", "--kafka-property", "client.id=publish-test", clip.toString());
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.err()).contains("published 2 chunks of 1 videos");
            List<String> keys = new ArrayList<>();
            try (KafkaConsumer<String, String> c =
                    RunCommand.readCommittedConsumer(kafka.bootstrapServers(), "chunks-publish", "t")) {
                long until = System.nanoTime() + 30_000_000_000L;
                while (keys.size() < 2 && System.nanoTime() < until) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        keys.add(r.key());
                    }
                }
            }
            assertThat(keys).containsOnly(clip.toAbsolutePath().toString()).hasSize(2);
            // the producer takes --kafka-property: one it cannot accept fails publishing, with the reason
            CliRun bad = CliRun.of("publish", "--bootstrap-servers", kafka.bootstrapServers(), "--topic",
                    "chunks-publish", "--kafka-property", "compression.type=no-such-codec", clip.toString());
            assertThat(bad.code()).as(bad.err()).isEqualTo(1);
            assertThat(bad.err()).contains("publish: producing failed").contains("compression.type");
        }
    }

    @Test
    void anIdSuffixPublishesTheSameFileAgainAsAnotherVideo() throws Exception {
        Path work = java.nio.file.Files.createTempDirectory(tmp, "suffix");
        List<io.lipsyncguard.job.media.MediaChunker.Part> parts = PublishCommand.plan(List.of(clip), 1.0, "ts", work,
                "#take-2");
        assertThat(parts).isNotEmpty().allSatisfy(p -> assertThat(p.videoId())
                .isEqualTo(clip.toAbsolutePath().normalize() + "#take-2"));
        // an id over the key limit is refused before anything is cut or sent
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PublishCommand.plan(List.of(clip), 1.0, "ts", work,
                "x".repeat(5000))).hasMessageContaining("more than the key limit of 4096; nothing was sent");
    }

    @Test
    void unreachableBrokersExitWithOne() throws Exception {
        CliRun run = CliRun.of("publish", "--bootstrap-servers", "localhost:" + RunCommandTest.freePort(),
                clip.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("publish: cannot reach Kafka at localhost:");
    }

    @Test
    void chunksAreCheckedBeforeAnyIsSentAndTheSegmentsAreCleanedUp() throws Exception {
        java.util.function.Supplier<Long> workDirs = () -> TempDirs.count("lipsync-publish");
        long before = workDirs.get();
        List<io.lipsyncguard.connectors.MediaChunk> chunks = PublishCommand.chunksOf(List.of(clip), 1.0, "ts");
        assertThat(chunks).hasSizeGreaterThan(3);
        assertThat(workDirs.get()).as("the re-encoded segments are deleted once read").isEqualTo(before);
        Path work = java.nio.file.Files.createTempDirectory(tmp, "plan");
        List<io.lipsyncguard.job.media.MediaChunker.Part> parts = PublishCommand.plan(List.of(clip), 1.0, "ts", work, "");
        assertThat(parts).hasSameSizeAs(chunks);
        long largest = 0;
        for (var p : parts) {
            largest = Math.max(largest, p.size());
        }
        long limit = largest;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PublishCommand.checkSizes(List.of(parts),
                limit - 1)).hasMessageContaining("use a shorter --chunk-seconds; nothing was sent");
        PublishCommand.checkSizes(List.of(parts), limit);
        // the planned parts are the chunks, read when sent
        assertThat(parts.get(1).load().payload()).isEqualTo(chunks.get(1).payload());
        CliRun zero = CliRun.of("publish", "--bootstrap-servers", "localhost:1", "--chunk-seconds", "0",
                clip.toString());
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("--chunk-seconds must be at least 0.04 (a frame)");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        CliRun run = CliRun.of("publish", "--bootstrap-servers", "localhost:1", "--format", "avi", clip.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--format must be ts or fmp4");
    }
}
