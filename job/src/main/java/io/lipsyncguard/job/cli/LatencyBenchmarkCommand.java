package io.lipsyncguard.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.connectors.kafka.KafkaLimits;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.media.MediaChunker;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bench-latency}: N copies of a clip streamed at real time through Kafka and the streaming job; prints the
 * latency from a chunk being produced to the ROLLING verdict it enabled reaching a {@code read_committed} consumer
 * (p50/p99), and whether the job kept up with that many concurrent 25 fps streams.
 */
@Command(name = "bench-latency", mixinStandardHelpOptions = true,
        description = "Measure streaming latency (chunk produced -> ROLLING verdict, p50/p99) for concurrent "
                + "real-time streams of a clip, and whether the job keeps up.")
public final class LatencyBenchmarkCommand implements Callable<Integer> {

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "A real video clip, streamed as every stream.")
    Path file;

    @Option(names = "--streams", split = ",", defaultValue = "1,2,4",
            description = "Concurrent stream counts to measure, one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> streams;

    @Option(names = "--chunk-seconds", defaultValue = "1", description = "Chunk duration (default: ${DEFAULT-VALUE}).")
    double chunkSeconds;

    @Option(names = "--min-seconds", defaultValue = "30", description = "Loop a shorter clip to at least this "
            + "long, so a falling-behind job shows (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(names = "--rolling-every", defaultValue = "1", description = "ROLLING verdict every n windows "
            + "(default: ${DEFAULT-VALUE}).")
    int rollingEvery;

    @Option(names = "--delivery", defaultValue = "AT_LEAST_ONCE", description = "AT_LEAST_ONCE, or EXACTLY_ONCE "
            + "(verdicts become visible at checkpoints, adding up to the checkpoint interval; default: "
            + "${DEFAULT-VALUE}).")
    DeliveryGuarantee delivery;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "1000", description = "Checkpoint interval; with "
            + "EXACTLY_ONCE a verdict becomes visible when its checkpoint completes (default: ${DEFAULT-VALUE}).")
    long checkpointMs;

    @Option(names = "--bootstrap-servers", description = "Kafka brokers; none: start an embedded broker. Each run "
            + "creates its three topics there and deletes them after it.")
    String bootstrapServers;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Kafka client property for the "
            + "job, the producer, the reader and the topic admin (repeatable), e.g. security.protocol=SASL_SSL.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--alongside", description = "A media file sent by reference (claim check) at the start of each "
            + "run, as uploads are, whose decoding competes with the live streams for the job.")
    Path alongside;

    @Option(names = "--alongside-copies", defaultValue = "2", description = "How many references to the --alongside "
            + "file each run sends (default: ${DEFAULT-VALUE}).")
    int alongsideCopies;

    /** Why the options cannot make a run, or null. */
    String optionProblem() {
        if (!PublishCommand.validChunkSeconds(chunkSeconds)) {
            return PublishCommand.chunkSecondsProblem(chunkSeconds);
        }
        if (streams == null || streams.isEmpty() || streams.stream().anyMatch(n -> n == null || n < 1)) {
            return "--streams must be stream counts of at least 1 but is " + streams;
        }
        if (!(minSeconds >= 0) || Double.isInfinite(minSeconds)) {
            return "--min-seconds must be a finite number >= 0 but is " + minSeconds;
        }
        if (rollingEvery < 1) {
            return "--rolling-every must be at least 1 but is " + rollingEvery;
        }
        if (checkpointMs < 1) {
            return "--checkpoint-interval-ms must be at least 1 but is " + checkpointMs;
        }
        if (delivery == DeliveryGuarantee.NONE) {
            return "--delivery must be EXACTLY_ONCE or AT_LEAST_ONCE";
        }
        if (alongsideCopies < 0) {
            return "--alongside-copies must be at least 0 but is " + alongsideCopies;
        }
        if (alongside != null && !Files.isRegularFile(alongside)) {
            return "--alongside: no such file: " + alongside;
        }
        return null;
    }

    /** One run's figures. */
    record Result(int streams, int rollings, double p50, double p99, long max, double finalP50, double drift,
            boolean sustained) {}

    @Override
    public Integer call() throws Exception {
        String problem = optionProblem();
        if (problem != null) {
            System.err.println("bench-latency: " + problem); // before a broker, a topic or a job is started
            return 2;
        }
        if (RunCommand.embeddedBrokerMissing("bench-latency", bootstrapServers)) {
            return 2;
        }
        if (!Files.isRegularFile(file)) {
            System.err.println("bench-latency: no such file: " + file);
            return 2;
        }
        JobConfig checked = options.loadable("bench-latency");
        if (checked == null) {
            return 2;
        }
        if (bootstrapServers != null
                && RunCommand.brokersUnreachable("bench-latency", bootstrapServers, kafkaProperties)) {
            return 1;
        }
        ModelManifest manifest = ModelManifest.readValid(checked.manifestPath());
        long marginMs = Math.round(manifest.preprocessing().offsetMarginFrames() * 1000.0
                / manifest.preprocessing().fps());
        Path work = Files.createTempDirectory("lipsync-bench-latency");
        List<MediaChunk> chunks = MediaChunker.chunk(file, "template", chunkSeconds, "ts", work.resolve("once"));
        double seconds = chunks.size() * chunkSeconds;
        if (seconds < minSeconds) {
            Path looped = work.resolve("looped.mkv");
            FfmpegTool.loop(file, looped, (int) Math.ceil(minSeconds / seconds));
            chunks = MediaChunker.chunk(looped, "template", chunkSeconds, "ts", work.resolve("looped"));
        }
        System.out.printf(Locale.ROOT, "file: %s, %d chunks of %.1f s, delivery %s, parallelism %d, rolling every %d "
                + "window(s); %s%n", file, chunks.size(), chunkSeconds, delivery, options.parallelism, rollingEvery,
                bootstrapServers == null ? "broker, job and producer share this machine"
                        : "job and producer share this machine, brokers at " + bootstrapServers);
        if (alongside != null) {
            System.out.printf(Locale.ROOT, "alongside: %d reference(s) to %s sent at the start of each run%n",
                    alongsideCopies, alongside);
        }
        System.out.println("streams  rollings  p50_ms  p99_ms  max_ms  final_p50_ms  drift_ms  sustained");
        EmbeddedKafka embedded = null;
        try {
            String brokers = bootstrapServers;
            if (brokers == null) {
                embedded = EmbeddedKafka.start();
                brokers = embedded.bootstrapServers();
            }
            for (int n : streams) {
                Result r = measure(brokers, embedded, checked, n, chunks, marginMs);
                System.out.printf(Locale.ROOT, "%7d  %8d  %6.0f  %6.0f  %6d  %12.0f  %8.0f  %s%n", r.streams(),
                        r.rollings(), r.p50(), r.p99(), r.max(), r.finalP50(), r.drift(),
                        r.sustained() ? "yes" : "no");
            }
            return 0;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private Result measure(String brokers, EmbeddedKafka embedded, JobConfig checked, int n, List<MediaChunk> template,
            long marginMs) throws Exception {
        String run = "bench" + n + "-" + System.currentTimeMillis();
        String chunksTopic = run + ".chunks";
        String verdictsTopic = run + ".verdicts";
        String errorsTopic = run + ".errors";
        Map<String, Integer> topics = new LinkedHashMap<>();
        topics.put(chunksTopic, Math.max(2, n));
        topics.put(verdictsTopic, 1);
        topics.put(errorsTopic, 1);
        try {
            if (embedded != null) {
                for (var t : topics.entrySet()) {
                    embedded.createTopic(t.getKey(), t.getValue());
                }
            } else {
                // the job's source fails on a topic that does not exist, and brokers need not create topics on a write
                createTopics(brokers, kafkaProperties, topics);
            }
            return measureOn(brokers, checked, n, template, marginMs, run, chunksTopic, verdictsTopic, errorsTopic);
        } finally {
            if (embedded == null) {
                deleteTopics(brokers, kafkaProperties, topics.keySet(), List.of(run, run + "-reader"));
            }
        }
    }

    /** Creates {@code topics} (name to partitions) at the brokers' default replication, sized for full chunks. */
    static void createTopics(String brokers, Map<String, String> clientProperties, Map<String, Integer> topics)
            throws Exception {
        try (Admin admin = Admin.create(RunCommand.adminProperties(brokers, clientProperties, ADMIN_TIMEOUT))) {
            List<NewTopic> created = new ArrayList<>();
            for (var t : topics.entrySet()) {
                created.add(new NewTopic(t.getKey(), Optional.of(t.getValue()), Optional.empty())
                        .configs(KafkaLimits.topicConfigs(KafkaLimits.DEFAULT_MAX_RECORD_BYTES)));
            }
            admin.createTopics(created).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Deletes a run's topics and groups; a benchmark must not leave them on a shared cluster (best effort). */
    static void deleteTopics(String brokers, Map<String, String> clientProperties, Collection<String> topics,
            Collection<String> groups) {
        try (Admin admin = Admin.create(RunCommand.adminProperties(brokers, clientProperties, ADMIN_TIMEOUT))) {
            admin.deleteTopics(topics).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            admin.deleteConsumerGroups(groups).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            System.err.println("bench-latency: could not delete the topics " + topics + " or the groups " + groups
                    + ": " + e.getMessage());
        }
    }

    /** How long the benchmark's topic admin waits for the brokers. */
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** One run on topics that exist. */
    private Result measureOn(String brokers, JobConfig checked, int n, List<MediaChunk> template, long marginMs,
            String run, String chunksTopic, String verdictsTopic, String errorsTopic) throws Exception {
        KafkaJobSettings kafka = KafkaJobSettings.defaults(brokers)
                .withTopics(chunksTopic, verdictsTopic, errorsTopic, null)
                .withClientProperties(kafkaProperties)
                .withGroupId(run)
                .withDelivery(delivery, Duration.ofMillis(checkpointMs));
        if (alongside != null) {
            kafka = kafka.withAllowedPrefixes(List.of(alongside.toAbsolutePath().getParent().toUri().toString()));
        }
        JobConfig config = checked.withRolling(rollingEvery, 0).withIdleTimeout(Duration.ofSeconds(60));
        long chunkMs = Math.round(chunkSeconds * 1000);
        int last = template.size() - 1;
        AtomicLongArray[] producedAt = new AtomicLongArray[n]; // written by the publisher, read here
        for (int s = 0; s < n; s++) {
            producedAt[s] = new AtomicLongArray(template.size());
        }
        List<Long> rolling = new ArrayList<>();
        List<Long> firstThird = new ArrayList<>();
        List<Long> lastThird = new ArrayList<>();
        List<Long> finals = new ArrayList<>();
        long mediaMs = template.size() * chunkMs;
        JobClient job = RunCommand.start(config, kafka, options.parallelism);
        try (ChunkProducer producer = ChunkProducer.builder(brokers, chunksTopic).idempotent(true)
                        .properties(kafkaProperties).build();
                KafkaConsumer<String, String> consumer = RunCommand.readCommittedConsumer(brokers, verdictsTopic,
                        run + "-reader", kafkaProperties)) {
            warmUp(producer, consumer, template);
            Map<String, Integer> streamOf = new HashMap<>();
            for (int s = 0; s < n; s++) {
                streamOf.put(run + "-" + s, s);
            }
            for (int u = 0; alongside != null && u < alongsideCopies; u++) {
                // not in streamOf: their verdicts are not measured, their decoding only competes
                producer.send(new MediaChunk(run + "-upload-" + u, 0, true, "video/mp4", MediaChunk.UNKNOWN_START,
                        null, alongside.toAbsolutePath().toUri().toString(), System.currentTimeMillis()));
            }
            Thread publisher = new Thread(() -> publish(producer, template, run, n, producedAt), "bench-publisher");
            publisher.start();
            ObjectMapper json = new ObjectMapper();
            long deadline = System.currentTimeMillis() + mediaMs * 3 + 120_000;
            while (finals.size() < n && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    long received = System.currentTimeMillis();
                    JsonNode v = json.readTree(r.value());
                    Integer s = streamOf.get(v.path("videoId").asText());
                    if (s == null) {
                        continue;
                    }
                    if ("ROLLING".equals(v.path("kind").asText())) {
                        long m = v.path("mediaMs").asLong();
                        long latency = received - producedAt[s].get(StreamLatency.neededChunk(m, marginMs, chunkMs, last));
                        rolling.add(latency);
                        if (m < mediaMs / 3) {
                            firstThird.add(latency);
                        } else if (m >= 2 * mediaMs / 3) {
                            lastThird.add(latency);
                        }
                    } else {
                        finals.add(received - producedAt[s].get(last));
                    }
                }
            }
            publisher.join();
        } finally {
            job.cancel().get();
        }
        double first = StreamLatency.percentile(firstThird, 50);
        double lastP50 = StreamLatency.percentile(lastThird, 50);
        return new Result(n, rolling.size(), StreamLatency.percentile(rolling, 50),
                StreamLatency.percentile(rolling, 99), rolling.stream().mapToLong(Long::longValue).max().orElse(-1),
                StreamLatency.percentile(finals, 50), lastP50 - first,
                StreamLatency.sustained(first, lastP50, chunkMs, finals.size() == n));
    }

    /** Streams the first chunks once and waits for their verdict, so job start-up and model load are not measured. */
    private static void warmUp(ChunkProducer producer, KafkaConsumer<String, String> consumer, List<MediaChunk> template)
            throws Exception {
        int count = Math.min(template.size(), 5);
        for (int i = 0; i < count; i++) {
            MediaChunk c = template.get(i);
            producer.send(new MediaChunk("warm-up", c.sequence(), i == count - 1, c.contentType(), c.mediaStartUs(),
                    c.payload(), null, 0L));
        }
        producer.flush();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                JsonNode v = json.readTree(r.value());
                if ("warm-up".equals(v.path("videoId").asText()) && !"ROLLING".equals(v.path("kind").asText())) {
                    return;
                }
            }
        }
        throw new IllegalStateException("the job gave no verdict for the warm-up stream within 3 minutes");
    }

    /** Chunk k of every stream leaves at k·chunk duration after the start, as live packagers would emit them. */
    private void publish(ChunkProducer producer, List<MediaChunk> template, String run, int n, AtomicLongArray[] producedAt) {
        long start = System.nanoTime();
        try {
            for (int k = 0; k < template.size(); k++) {
                long wait = start + (long) (k * chunkSeconds * 1e9) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                MediaChunk c = template.get(k);
                for (int s = 0; s < n; s++) {
                    long now = System.currentTimeMillis();
                    producedAt[s].set(k, now);
                    producer.send(new MediaChunk(run + "-" + s, c.sequence(), c.last(), c.contentType(),
                            c.mediaStartUs(), c.payload(), null, now));
                }
                producer.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
