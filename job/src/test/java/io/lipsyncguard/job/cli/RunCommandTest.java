package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code run} against brokers that do not answer: a clear error and exit code 1, not a wait for verdicts forever. */
class RunCommandTest {

    @TempDir
    Path tmp;

    /** A local port nothing listens on (bound, then released). */
    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aMissingChunksTopicIsNamedInsteadOfARestartLoop() throws Exception {
        try (io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka =
                io.lipsyncguard.connectors.kafka.EmbeddedKafka.start()) {
            CliRun run = CliRun.of("run", "--bootstrap-servers", kafka.bootstrapServers(), "--chunks-topic",
                    "no-such-topic");
            assertThat(run.code()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("run: the chunks topic no-such-topic does not exist at "
                    + kafka.bootstrapServers(), "max.message.bytes 16842752");
        }
    }

    @Test
    @Timeout(120) // without the check the command serves on, its sinks failing
    void missingOutputTopicsAreNamedWhereTheBrokersCreateNone() throws Exception {
        try (io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka = io.lipsyncguard.connectors.kafka.EmbeddedKafka
                .start(io.lipsyncguard.connectors.kafka.KafkaLimits.DEFAULT_MAX_RECORD_BYTES,
                        Map.of("auto.create.topics.enable", "false"))) {
            kafka.createTopic("lipsync.chunks", 2);
            kafka.createTopic("lipsync.errors", 1);
            CliRun run = CliRun.of("run", "--bootstrap-servers", kafka.bootstrapServers(), "--scores-topic",
                    "lipsync.scores");
            assertThat(run.code()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("run: the output topics lipsync.verdicts, lipsync.scores do not exist at "
                    + kafka.bootstrapServers() + ", and the brokers do not create topics");
        }
    }

    @Test
    void aFailureThatNeverGoesAwayEndsTheRunWithItsCause() throws Exception {
        Path clip = tmp.resolve("clip-for-a-failing-job.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(5, 3));
        try (io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka =
                io.lipsyncguard.connectors.kafka.EmbeddedKafka.start()) {
            kafka.createTopic("lipsync.chunks", 2);
            // a transaction timeout above the brokers' transaction.max.timeout.ms (15 min): every sink start fails
            CliRun run = CliRun.of("run", "--bootstrap-servers", kafka.bootstrapServers(), "--transaction-timeout-ms",
                    "1200000", clip.toString());
            assertThat(run.code()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).contains("run: the job failed: ", "transaction.max.timeout.ms");
        }
    }

    @Test
    void unreachableBrokersEndTheCommandWithExitCodeOne() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(3, 3));
        String brokers = "localhost:" + freePort();
        long start = System.nanoTime();
        CliRun run = CliRun.of("run", "--bootstrap-servers", brokers, clip.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("cannot reach Kafka at " + brokers);
        assertThat(run.out()).doesNotContain("\"videoId\""); // no verdict line
        assertThat(seconds).isLessThan(RunCommand.BROKER_CHECK_TIMEOUT.toSeconds() + 30);
    }

    @Test
    void aFileFfmpegCannotCutEndsInItsErrorVerdictAndTheOthersInTheirs() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(6, 4));
        Path junk = tmp.resolve("junk.mp4");
        byte[] bytes = new byte[20_000];
        new java.util.Random(3).nextBytes(bytes);
        java.nio.file.Files.write(junk, bytes);
        // the embedded broker: run publishes both and waits for a FINAL or ERROR verdict of each
        CliRun run = CliRun.of("run", "--parallelism", "1", clip.toString(), junk.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("cannot cut " + junk + " into chunks");
        java.util.Map<String, String> finalKinds = new java.util.HashMap<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : run.out().lines().filter(l -> l.startsWith("{\"videoId\"")).toList()) {
            var v = json.readTree(line);
            if (!"ROLLING".equals(v.path("kind").asText())) {
                assertThat(finalKinds.put(v.path("videoId").asText(), v.path("kind").asText())).isNull();
            }
        }
        assertThat(finalKinds).containsEntry(clip.toAbsolutePath().toString(), "FINAL")
                .containsEntry(junk.toAbsolutePath().toString(), "ERROR").hasSize(2);
    }

    @Test
    void theLatencyBenchmarkChecksItsBrokersToo() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(4, 3));
        CliRun run = CliRun.of("bench-latency", "--bootstrap-servers", "localhost:" + freePort(), clip.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("bench-latency: cannot reach Kafka at localhost:");
    }

    @Test
    @Timeout(300)
    void theLatencyBenchmarkRunsOnGivenBrokersThatCreateNoTopicsAndLeavesNoneBehind() throws Exception {
        Path clip = tmp.resolve("bench.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(5, 3));
        try (io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka = io.lipsyncguard.connectors.kafka.EmbeddedKafka
                .start(io.lipsyncguard.connectors.kafka.KafkaLimits.DEFAULT_MAX_RECORD_BYTES,
                        Map.of("auto.create.topics.enable", "false"))) {
            CliRun run = CliRun.of("bench-latency", "--bootstrap-servers", kafka.bootstrapServers(), "--device", "cpu",
                    "--streams", "1", "--min-seconds", "8", clip.toString());
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out()).contains("brokers at " + kafka.bootstrapServers())
                    .containsPattern("(?m)^\\s+1\\s+[1-9]\\d*\\s+\\d+\\s+\\d+");
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).noneMatch(t -> t.startsWith("bench"));
                assertThat(admin.listConsumerGroups().all().get()).noneMatch(g -> g.groupId().startsWith("bench"));
            }
        }
    }

    @Test
    @Timeout(300)
    void aRunOnGivenBrokersWaitsForItsOwnVerdictNotOneAnEarlierRunLeftOnTheTopic() throws Exception {
        Path clip = tmp.resolve("again.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(6, 3));
        String id = clip.toAbsolutePath().normalize().toString();
        try (io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka =
                io.lipsyncguard.connectors.kafka.EmbeddedKafka.start()) {
            kafka.createTopic("lipsync.chunks", 2);
            kafka.createTopic("lipsync.verdicts", 1);
            kafka.createTopic("lipsync.errors", 1);
            // an earlier run's ERROR verdict of the same file (the same video id), written an hour ago
            long hourAgo = System.currentTimeMillis() - 3_600_000;
            send(kafka, List.of(new ProducerRecord<>("lipsync.verdicts", null, hourAgo, id, "{\"videoId\":\"" + id
                    + "\",\"kind\":\"ERROR\",\"error\":\"stale\",\"emittedAtMs\":" + hourAgo + "}")));
            CliRun run = CliRun.of("run", "--bootstrap-servers", kafka.bootstrapServers(), "--device", "cpu",
                    clip.toString());
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out()).doesNotContain("stale").contains("\"kind\":\"FINAL\"", id);
            // its reader seeks by time on the partitions it is assigned: the brokers keep neither offsets nor a
            // group of it
            try (var admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.listConsumerGroups().all().get()).extracting(g -> g.groupId())
                        .noneMatch(g -> g.startsWith("lipsync-cli-"));
            }
        }
    }

    @Test
    @Timeout(120)
    void onlyAFinalOrErrorVerdictEndsAVideosWaitNotAnotherMessageOfIt() throws Exception {
        try (io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka =
                io.lipsyncguard.connectors.kafka.EmbeddedKafka.start()) {
            kafka.createTopic("lipsync.verdicts", 1);
            long since = System.currentTimeMillis() - 1000;
            long now = since + 1000;
            send(kafka, java.util.stream.Stream.of(
                    "{\"videoId\":\"a\",\"kind\":\"ROLLING\",\"emittedAtMs\":" + now + "}",
                    "{\"videoId\":\"a\",\"emittedAtMs\":" + now + "}",
                    "{\"videoId\":\"a\",\"kind\":\"NOTE\",\"emittedAtMs\":" + now + "}",
                    "{\"videoId\":\"b\",\"kind\":\"FINAL\",\"emittedAtMs\":" + now + "}")
                    .map(v -> new ProducerRecord<String, String>("lipsync.verdicts", null, now, null, v)).toList());
            var settings = io.lipsyncguard.job.KafkaJobSettings.defaults(kafka.bootstrapServers());
            java.util.Set<String> waiting = new java.util.HashSet<>(List.of("a", "b"));
            int[] errors = {0};
            long deadline = System.currentTimeMillis() + 60_000;
            // b's FINAL comes after a's other messages on the one partition: once it is read, they were too
            String failed = RunCommand.printVerdicts(settings, since, waiting, true, errors,
                    () -> !waiting.contains("b") ? "a still waits"
                            : System.currentTimeMillis() > deadline ? "b's FINAL was not read" : null);
            assertThat(failed).isEqualTo("a still waits");
            assertThat(waiting).containsExactly("a");
            send(kafka, List.of(new ProducerRecord<>("lipsync.verdicts", null, now, null,
                    "{\"videoId\":\"a\",\"kind\":\"ERROR\",\"emittedAtMs\":" + now + "}")));
            assertThat(RunCommand.printVerdicts(settings, since, waiting, true, errors,
                    () -> System.currentTimeMillis() > deadline ? "a's ERROR was not read" : null)).isNull();
            assertThat(waiting).isEmpty();
            assertThat(errors[0]).isEqualTo(1);
        }
    }

    @Test
    void aFirstRunOnGivenBrokersSaysThatItWillReadTheChunksWaitingThere() throws Exception {
        try (io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka =
                io.lipsyncguard.connectors.kafka.EmbeddedKafka.start()) {
            kafka.createTopic("lipsync.chunks", 2);
            var settings = io.lipsyncguard.job.KafkaJobSettings.defaults(kafka.bootstrapServers())
                    .withGroupId("lipsync-guard-run");
            assertThat(RunCommand.firstReadNote(kafka.bootstrapServers(), settings)).as("nothing waits").isNull();
            send(kafka, java.util.stream.IntStream.range(0, 3)
                    .mapToObj(i -> new ProducerRecord<>("lipsync.chunks", "v" + i, "x")).toList());
            assertThat(RunCommand.firstReadNote(kafka.bootstrapServers(), settings)).startsWith(
                    "the group lipsync-guard-run has not read lipsync.chunks at " + kafka.bootstrapServers()
                            + " before: the job starts at its beginning (3 records)");
            // once the group has read the topic, it goes on from there: nothing to say
            try (var admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.alterConsumerGroupOffsets("lipsync-guard-run", Map.of(
                        new org.apache.kafka.common.TopicPartition("lipsync.chunks", 0),
                        new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))).all().get();
            }
            assertThat(RunCommand.firstReadNote(kafka.bootstrapServers(), settings)).isNull();
        }
    }

    /** Writes {@code records} to the broker in order, each acknowledged before the next. */
    private static void send(io.lipsyncguard.connectors.kafka.EmbeddedKafka kafka,
            List<ProducerRecord<String, String>> records) throws Exception {
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(
                Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r).get();
            }
        }
    }

    @Test
    void impossibleOptionsExitTwoBeforeABrokerOrAJobStarts() {
        for (String[] args : List.of(
                new String[] {"--idle-timeout-seconds", "-1"},
                new String[] {"--rolling-every", "-1"},
                new String[] {"--parallelism", "0"},
                new String[] {"--partitions", "0"},
                new String[] {"--checkpoint-interval-ms", "0", "--delivery", "AT_LEAST_ONCE"},
                new String[] {"--transaction-timeout-ms", "5000"},
                new String[] {"--transaction-timeout-ms", "0", "--delivery", "AT_LEAST_ONCE"},
                new String[] {"--allow-prefix", "media/"},
                new String[] {"--kafka-property", "max.request.size=1"},
                new String[] {"--kafka-property", "group.id=x"},
                new String[] {"--verdicts-topic", "lipsync.chunks"},
                new String[] {"--scores-topic", "lipsync.errors"},
                new String[] {"--errors-topic", " "},
                new String[] {"--group-id", " "})) {
            String label = String.join(" ", args);
            List<String> all = new ArrayList<>(List.of("run"));
            all.addAll(List.of(args));
            CliRun run = CliRun.of(all.toArray(new String[0]));
            assertThat(run.code()).as(label + ": " + run.err()).isEqualTo(2);
            assertThat(run.err()).as(label).contains(args[0]).doesNotContain("embedded Kafka at");
            // the cluster entry point shares the options and refuses them the same way, before building a job
            List<String> cluster = new ArrayList<>(List.of("--bootstrap-servers", "b:1", "--device", "cpu", "--plan"));
            cluster.addAll(List.of(args));
            CliRun submitted = CliRun.run(() -> new picocli.CommandLine(new ClusterJob()),
                    cluster.toArray(new String[0]));
            assertThat(submitted.code()).as("cluster " + label + ": " + submitted.err()).isEqualTo(2);
            assertThat(submitted.err()).as("cluster " + label).contains(args[0]).doesNotContain("\"nodes\"");
        }
    }

    @Test
    void theShortestTransactionTheOptionsAllowIsOneTheJobCanCheckpointWithin() {
        RunCommand run = new RunCommand();
        long shortest = io.lipsyncguard.job.StreamingJob.minimumTransactionTimeoutMs(2000);
        new picocli.CommandLine(run).parseArgs("--transaction-timeout-ms", Long.toString(shortest));
        assertThat(run.streaming.settings("x:1").transactionTimeout()).isEqualTo(java.time.Duration.ofMillis(shortest));
        RunCommand shorter = new RunCommand();
        new picocli.CommandLine(shorter).parseArgs("--transaction-timeout-ms", Long.toString(shortest - 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> shorter.streaming.settings("x:1"))
                .hasMessage("--transaction-timeout-ms (" + (shortest - 1) + ") must be at least " + shortest
                        + " with --checkpoint-interval-ms (2000): two checkpoints and a recovery must fit in a "
                        + "transaction");
    }

    @Test
    void benchLatencyRefusesOptionsThatCannotMakeARunBeforeABrokerStarts() throws Exception {
        Path clip = tmp.resolve("bench-options.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(6, 2));
        for (String[] args : List.of(new String[] {"--chunk-seconds", "0"}, new String[] {"--chunk-seconds", "0.0004"},
                new String[] {"--streams", "-1"},
                new String[] {"--streams", "1,0"}, new String[] {"--min-seconds", "NaN"},
                new String[] {"--rolling-every", "0"}, new String[] {"--checkpoint-interval-ms", "0"},
                new String[] {"--delivery", "NONE"}, new String[] {"--alongside-copies", "-1"},
                new String[] {"--alongside", "no/such.mp4"})) {
            List<String> all = new ArrayList<>(List.of("bench-latency", clip.toString()));
            all.addAll(List.of(args));
            CliRun run = CliRun.of(all.toArray(new String[0]));
            String label = String.join(" ", args);
            assertThat(run.code()).as(label + ": " + run.err()).isEqualTo(2);
            assertThat(run.err()).as(label).startsWith("bench-latency: " + args[0])
                    .doesNotContain("Exception").doesNotContain("embedded Kafka");
            assertThat(run.out()).as(label).isEmpty();
        }
    }

    @Test
    void aChunkTooLargeForARecordIsRefusedBeforeTheBrokerStarts() throws Exception {
        // FFmpeg cannot cut junk, and junk over what one record carries cannot be sent whole either
        Path junk = Files.createTempFile(tmp, "junk", ".ts");
        try (var out = Files.newOutputStream(junk)) {
            out.write(new byte[(int) PublishCommand.WHOLE_UPLOAD_LIMIT_BYTES + 1]);
        }
        CliRun run = CliRun.of("run", junk.toString());
        assertThat(run.code()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("too large to send whole").doesNotContain("embedded Kafka at");
    }

    @Test
    void aBadAddressIsSaidSo() {
        assertThat(RunCommand.unreachable("no-such-host.invalid:9092", Map.of(),
                java.time.Duration.ofSeconds(2))).isEqualTo("cannot use the Kafka settings (--bootstrap-servers "
                + "no-such-host.invalid:9092 and client properties): No resolvable bootstrap urls given in "
                + "bootstrap.servers");
    }

    @Test
    void anAddressWithoutPortIsAMistakeInTheSettingsNotABrokerThatDoesNotAnswer() {
        // Kafka's own reason, not its wrapper "Failed to create new KafkaAdminClient", and no wait was spent
        assertThat(RunCommand.unreachable("localhost", Map.of(), java.time.Duration.ofSeconds(2)))
                .startsWith("cannot use the Kafka settings (--bootstrap-servers localhost")
                .contains("Invalid url in bootstrap.servers: localhost").doesNotContain("within");
    }
}
