package io.lipsyncguard.job.cli;

import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.connectors.kafka.KafkaLimits;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.StreamingJob;
import io.lipsyncguard.job.media.MediaChunker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code run}: the streaming job on an embedded Flink, reading chunks from Kafka and writing verdicts to Kafka. Without
 * {@code --bootstrap-servers} it starts an embedded single-node Kafka (KRaft) and creates the topics; given files, it
 * publishes them as chunks and prints the verdicts as they arrive, then stops.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every FILE got its FINAL verdict (without FILEs: runs until stopped)",
            "1:a FILE could not be analysed (its ERROR verdict says why), the brokers could not be reached "
                    + "or have no chunks topic (or lack an output topic and create none), publishing failed, or the "
                    + "job failed for good",
            "2:bad usage: missing FILE, invalid model or manifest, inconsistent options, no embedded broker on this "
                    + "classpath"},
        description = "Run the streaming job against Kafka (embedded single-node KRaft when no brokers are given).")
public final class RunCommand implements Callable<Integer> {

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "Videos to publish as chunks; verdicts are printed "
            + "until every one has its FINAL verdict.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--demo", description = "Generate the demo talking-head clips and publish them too.")
    boolean demo;

    @Option(names = "--bootstrap-servers", description = "Kafka brokers; none: start an embedded broker.")
    String bootstrapServers;

    // a group of its own: a run pointed at a cluster's brokers must not fence the cluster job's transactions, nor
    // take over its offsets
    @Mixin
    StreamingOptions streaming = new StreamingOptions(2000, 3, 60, "lipsync-guard-run");

    @Option(names = "--chunk-seconds", defaultValue = "2",
            description = "Chunk duration of the FILEs published (default: ${DEFAULT-VALUE}).")
    double chunkSeconds;

    @Option(names = "--realtime", description = "Publish at real time, like live streams.")
    boolean realtime;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the embedded broker's chunks topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    /**
     * True, after saying so on stderr, when no brokers are given and the embedded one cannot start because its jars
     * are not on the classpath (the cluster image leaves them out).
     */
    static boolean embeddedBrokerMissing(String command, String bootstrapServers) {
        if (bootstrapServers != null || EmbeddedKafka.available()) {
            return false;
        }
        System.err.println(command + ": no --bootstrap-servers given and the embedded broker is not on this "
                + "classpath (the cluster image leaves it out); pass --bootstrap-servers");
        return true;
    }

    @Override
    public Integer call() throws Exception {
        if (embeddedBrokerMissing("run", bootstrapServers)) {
            return 2;
        }
        if (!PublishCommand.validChunkSeconds(chunkSeconds)) {
            System.err.println("run: " + PublishCommand.chunkSecondsProblem(chunkSeconds));
            return 2;
        }
        if (partitions < 1) {
            System.err.println("run: --partitions must be at least 1 but is " + partitions);
            return 2;
        }
        try {
            streaming.settings("check:9092"); // the options' consistency, before a broker starts
        } catch (IllegalArgumentException e) {
            System.err.println("run: " + e.getMessage());
            return 2;
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                System.err.println("run: " + notAFile(f));
                return 2;
            }
        }
        String twice = namedTwice(files);
        if (twice != null) {
            System.err.println("run: " + twice);
            return 2;
        }
        JobConfig checked = options.loadable("run");
        if (checked == null) {
            return 2;
        }
        if (demo) {
            Path dir = Files.createTempDirectory("lipsync-demo");
            System.err.println("writing demo clips to " + dir);
            files.addAll(io.lipsyncguard.job.sample.TalkingHeadGenerator.writeDemoSet(dir));
        }
        JobConfig config;
        try {
            config = streaming.apply(checked);
        } catch (IllegalArgumentException e) {
            System.err.println("run: " + e.getMessage());
            return 2;
        }
        // the files are cut before anything starts, so that one that cannot be sent is refused before the others
        // are; their chunks are read one at a time as they are sent, not held in memory
        Path work = Files.createTempDirectory("lipsync-run-chunks");
        EmbeddedKafka embedded = null;
        try {
            List<MediaChunker.Part> parts;
            try {
                parts = PublishCommand.plan(files, chunkSeconds, "ts", work, "");
            } catch (PublishCommand.ChunkTooLargeException e) {
                System.err.println("run: " + e.getMessage());
                return 2;
            }
            String brokers = bootstrapServers;
            if (brokers == null) {
                embedded = EmbeddedKafka.start();
                brokers = embedded.bootstrapServers();
                embedded.createTopic(streaming.chunksTopic, partitions);
                embedded.createTopic(streaming.verdictsTopic, 1);
                embedded.createTopic(streaming.errorsTopic, 1);
                if (streaming.scoresTopic != null) {
                    embedded.createTopic(streaming.scoresTopic, 1);
                }
                System.err.println("embedded Kafka at " + brokers);
            }
            KafkaJobSettings kafka = streaming.settings(brokers);
            // else the job's source retries and restarts and the command waits for verdicts for ever
            if (embedded == null && brokersUnreachable("run", brokers, kafka.clientProperties())) {
                return 1;
            }
            if (embedded == null) {
                // the source fails the job on a topic it cannot find, and the job restarts into that for ever
                String missing = missingTopics(brokers, kafka);
                if (missing != null) {
                    System.err.println("run: " + missing);
                    return 1;
                }
                String note = firstReadNote(brokers, kafka);
                if (note != null) {
                    System.err.println("run: note: " + note);
                }
            }
            // verdicts of earlier runs on given brokers (the same file has the same video id) are not this run's
            long startedAtMs = System.currentTimeMillis();
            JobClient job = start(config, kafka, options.parallelism);
            AtomicReference<String> failure = new AtomicReference<>();
            try {
                Set<String> waiting = new HashSet<>();
                if (!files.isEmpty()) {
                    parts.forEach(c -> waiting.add(c.videoId()));
                    Thread publisher = new Thread(() -> {
                        try (ChunkProducer p = ChunkProducer.builder(kafka.bootstrapServers(), kafka.chunksTopic())
                                .properties(kafka.clientProperties()).idempotent(true).build()) {
                            PublishCommand.sendParts(p, parts, realtime ? chunkSeconds : 0);
                        } catch (Exception e) {
                            failure.compareAndSet(null, "publishing failed: " + e.getMessage());
                        }
                    }, "lipsync-publisher");
                    publisher.setDaemon(true);
                    publisher.start();
                }
                int[] errors = {0};
                String failed = printVerdicts(kafka, startedAtMs, waiting, !files.isEmpty(), errors, () -> {
                    String f = failure.get();
                    return f != null ? f : jobEndedWithCause(job);
                });
                if (failed != null) {
                    System.err.println("run: " + failed + "; still without a FINAL verdict: " + waiting);
                    return 1;
                }
                if (errors[0] > 0) {
                    return 1; // as analyze: some input could not be analysed, and its ERROR verdict says why
                }
            } finally {
                if (jobEnded(job) == null) {
                    job.cancel().get();
                }
            }
            return 0;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
            deleteQuietly(work);
        }
    }

    /**
     * Checkpoint timeout of the embedded job: two of them and a recovery fit in the sinks' default 15 min transaction
     * timeout.
     */
    static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(4);

    /** Starts the streaming job on an embedded Flink with a restart strategy, returning at once. */
    public static JobClient start(JobConfig config, KafkaJobSettings kafka, int parallelism) throws Exception {
        Path checkpoints = Files.createTempDirectory("lipsync-checkpoints");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
                embeddedConfiguration(checkpoints));
        StreamingJob.build(env, config, kafka);
        JobClient job = env.executeAsync("lipsync-run");
        // the checkpoints go with the job (the launcher removes its whole temp directory at exit as well)
        job.getJobExecutionResult().whenComplete((r, e) -> deleteQuietly(checkpoints));
        return job;
    }

    private static void deleteQuietly(Path dir) {
        try {
            PublishCommand.deleteTree(dir);
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // a checkpoint left in the temp directory is not worth failing for
        }
    }

    /**
     * The embedded job's Flink configuration, {@code checkpoints} its checkpoint directory:
     * <ul>
     *   <li>checkpoints on the file system: in the JobManager's memory, the default, a snapshot over 5 MB (a long
     *       inline chunk being decoded, some 50 windows in flight) failed every checkpoint and restarted the job;</li>
     *   <li>restarts bounded by their rate, 20 in 10 minutes: a fixed ten over the process's whole life ended a
     *       {@code run} serving "until stopped" at its eleventh failure ever, while a failure that never goes away
     *       (a topic the brokers refuse, a transaction timeout above their maximum) must still end the command;</li>
     *   <li>a checkpoint timeout below the transaction timeout, so a slow checkpoint fails before its transactions
     *       expire.</li>
     * </ul>
     */
    static Configuration embeddedConfiguration(Path checkpoints) {
        Configuration conf = LipsyncWorkflow.baseConfiguration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, CHECKPOINT_TIMEOUT);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "failure-rate");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL, 20);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL, Duration.ofMinutes(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FAILURE_RATE_DELAY, Duration.ofSeconds(2));
        return conf;
    }

    /**
     * Why the files cannot all be sent, or null: two names of one file ({@code a.mp4 ./a.mp4}) have one video id, and
     * their chunks, sent interleaved under it, would be taken for duplicates of each other.
     */
    static String namedTwice(List<Path> files) {
        Map<Path, Path> first = new HashMap<>();
        for (Path f : files) {
            Path before = first.putIfAbsent(f.toAbsolutePath().normalize(), f);
            if (before != null) {
                return before + " and " + f + " are the same file (one video id): give it once";
            }
        }
        return null;
    }

    /** Why {@code f}, not a regular file, cannot be sent as a video: a directory is a likely mistake of its own. */
    static String notAFile(Path f) {
        if (Files.isDirectory(f)) {
            return f + " is a directory: give the video files in it (analyze walks directories)";
        }
        return Files.exists(f) ? "not a regular file: " + f : "no such file: " + f;
    }

    /** How long {@code run} waits for given brokers to answer before it gives up. */
    static final Duration BROKER_CHECK_TIMEOUT = Duration.ofSeconds(15);

    /**
     * True, after saying why on stderr, when the cluster at {@code brokers} does not answer within
     * {@link #BROKER_CHECK_TIMEOUT}.
     */
    static boolean brokersUnreachable(String command, String brokers, Map<String, String> clientProperties) {
        String why = unreachable(brokers, clientProperties, BROKER_CHECK_TIMEOUT);
        if (why == null) {
            return false;
        }
        System.err.println(command + ": " + why);
        return true;
    }

    /**
     * Null when the cluster at {@code brokers} answers within {@code timeout}, else why not, as a sentence: a client
     * that cannot even be made (a malformed address or client property) says so, not that no broker answered.
     */
    static String unreachable(String brokers, Map<String, String> clientProperties, Duration timeout) {
        String prefix = "cannot reach Kafka at " + brokers + " within " + timeout.toSeconds() + " s: ";
        try (Admin admin = Admin.create(adminProperties(brokers, clientProperties, timeout))) {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return prefix + e.getCause().getMessage();
        } catch (TimeoutException e) {
            return prefix + "no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return prefix + "interrupted";
        } catch (RuntimeException e) {
            // Kafka wraps the reason ("Invalid url in bootstrap.servers: ...") in "Failed to create new
            // KafkaAdminClient"
            return "cannot use the Kafka settings (--bootstrap-servers " + brokers + " and client properties): "
                    + LipsyncCli.innermost(e).getMessage();
        }
    }

    /** An admin client's properties for the cluster at {@code brokers}, answering within {@code timeout}. */
    static Properties adminProperties(String brokers, Map<String, String> clientProperties, Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return p;
    }

    /**
     * Null when the chunks topic exists on the cluster and every output topic exists or will be created by the brokers
     * on its first write, else what to do about it. Where the brokers create no topics, a missing output topic failed
     * every start of its sink: the job restarted until its restarts were spent, without one verdict.
     */
    static String missingTopics(String brokers, KafkaJobSettings kafka) {
        try (Admin admin = Admin.create(adminProperties(brokers, kafka.clientProperties(), BROKER_CHECK_TIMEOUT))) {
            long ms = BROKER_CHECK_TIMEOUT.toMillis();
            Set<String> topics = admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS);
            if (!topics.contains(kafka.chunksTopic())) {
                return "the chunks topic " + kafka.chunksTopic() + " does not exist at " + brokers + ": create it (as "
                        + "many partitions as the parallelism or more, max.message.bytes "
                        + KafkaLimits.wireBytes(KafkaLimits.DEFAULT_MAX_RECORD_BYTES)
                        + ") or name another with --chunks-topic";
            }
            List<String> missing = new ArrayList<>();
            for (String out : new String[] {kafka.verdictsTopic(), kafka.errorsTopic(), kafka.scoresTopic()}) {
                if (out != null && !topics.contains(out) && !missing.contains(out)) {
                    missing.add(out);
                }
            }
            if (missing.isEmpty() || brokersCreateTopics(admin, ms)) {
                return null;
            }
            return "the output topic" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                    + (missing.size() > 1 ? " do" : " does") + " not exist at " + brokers + ", and the brokers do not "
                    + "create topics (auto.create.topics.enable is false): create "
                    + (missing.size() > 1 ? "them or name others" : "it or name another")
                    + " with --verdicts-topic, --errors-topic or --scores-topic";
        } catch (ExecutionException e) {
            return "cannot list the topics at " + brokers + ": " + e.getCause().getMessage();
        } catch (TimeoutException e) {
            return "cannot list the topics at " + brokers + ": no answer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * A note, or null, when the job's group has never read the chunks topic of given brokers and chunks wait there:
     * the job starts at the topic's beginning and writes a verdict for every video they hold, beside the verdicts
     * another job (the cluster's) may have written for them already. Null too when the brokers do not say.
     */
    static String firstReadNote(String brokers, KafkaJobSettings kafka) {
        try (Admin admin = Admin.create(adminProperties(brokers, kafka.clientProperties(), BROKER_CHECK_TIMEOUT))) {
            long ms = BROKER_CHECK_TIMEOUT.toMillis();
            String topic = kafka.chunksTopic();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(kafka.groupId())
                    .partitionsToOffsetAndMetadata().get(ms, TimeUnit.MILLISECONDS);
            if (committed.keySet().stream().anyMatch(tp -> tp.topic().equals(topic))) {
                return null;
            }
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get(ms, TimeUnit.MILLISECONDS)
                    .get(topic).partitions()) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                earliest.put(tp, OffsetSpec.earliest());
                latest.put(tp, OffsetSpec.latest());
            }
            var from = admin.listOffsets(earliest).all().get(ms, TimeUnit.MILLISECONDS);
            var to = admin.listOffsets(latest).all().get(ms, TimeUnit.MILLISECONDS);
            long waiting = 0;
            for (TopicPartition tp : from.keySet()) {
                waiting += to.get(tp).offset() - from.get(tp).offset();
            }
            if (waiting == 0) {
                return null;
            }
            return "the group " + kafka.groupId() + " has not read " + topic + " at " + brokers + " before: the job "
                    + "starts at its beginning (" + waiting + " records) and writes a verdict for every video there to "
                    + kafka.verdictsTopic() + ", beside any that another job wrote; --group-id and topics of its own "
                    + "keep a trial run apart";
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whether a broker of the cluster creates a topic on its first write; true when it will not say. */
    static boolean brokersCreateTopics(Admin admin, long timeoutMs) throws InterruptedException {
        try {
            String broker = String.valueOf(admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS)
                    .iterator().next().id());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, broker);
            var config = admin.describeConfigs(List.of(resource)).all().get(timeoutMs, TimeUnit.MILLISECONDS)
                    .get(resource);
            ConfigEntry entry = config == null ? null : config.get("auto.create.topics.enable");
            return entry == null || entry.value() == null || Boolean.parseBoolean(entry.value());
        } catch (ExecutionException | TimeoutException | java.util.NoSuchElementException e) {
            // a cluster that does not let this client read broker configurations (or answers too slowly): the job
            // itself will tell
            return true;
        }
    }

    /** Null while {@code job} runs (or restarts), else the state it ended in. */
    static String jobEnded(JobClient job) {
        try {
            var status = job.getJobStatus().get();
            return status.isGloballyTerminalState() ? "the job ended " + status : null;
        } catch (Exception e) {
            return "the job is gone: " + e.getMessage();
        }
    }

    /**
     * As {@link #jobEnded}, with the root cause of a job that failed: a failure that outlasted the restarts says what it
     * was. Read from the job's result, since the embedded cluster shuts down with the job and its state can no longer
     * be asked.
     */
    static String jobEndedWithCause(JobClient job) {
        String ended = jobEnded(job);
        if (ended == null) {
            return null;
        }
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "the job failed: " + rootCause(e);
        } catch (TimeoutException e) {
            // no result to read: the state is all there is
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ended;
    }

    /** The innermost cause of {@code e}: what a failure that outlasted the restarts was. */
    static String rootCause(Throwable e) {
        return LipsyncCli.innermost(e).toString();
    }

    /**
     * Prints the verdict messages (read_committed) the job emitted from {@code sinceMs} on, until every video in
     * {@code waiting} has a FINAL or ERROR one, counting the ERROR ones in {@code errors[0]}; returns null then, or
     * what {@code failure} reports as soon as it reports something (checked about twice a second). The verdicts of
     * this run's own chunks carry Kafka timestamps of this run (the sink keeps the chunk's), so the seek to
     * {@code sinceMs} passes none of them; the {@code emittedAtMs} filter drops what lies behind it from before.
     */
    static String printVerdicts(KafkaJobSettings kafka, long sinceMs, Set<String> waiting, boolean stopWhenDone,
            int[] errors, Supplier<String> failure) {
        ObjectMapper json = new ObjectMapper();
        try (KafkaConsumer<String, String> consumer = readCommittedConsumer(kafka.bootstrapServers(),
                kafka.verdictsTopic(), "lipsync-cli-" + System.nanoTime(), kafka.clientProperties(), sinceMs)) {
            while (!stopWhenDone || !waiting.isEmpty()) {
                String failed = failure.get();
                if (failed != null) {
                    return failed;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode v;
                    try {
                        v = json.readTree(r.value());
                    } catch (Exception e) {
                        v = null; // a foreign message on the topic: printed, not understood
                    }
                    if (v != null && v.path("emittedAtMs").asLong(Long.MAX_VALUE) < sinceMs) {
                        continue; // an earlier run's, or another job's, written with an older timestamp
                    }
                    System.out.println(r.value());
                    System.out.flush();
                    if (v != null) {
                        String kind = v.path("kind").asText();
                        // only a verdict ends a video's wait: a message of another kind (a foreign writer's, or
                        // one without a kind) says nothing about whether its FINAL came
                        boolean last = "FINAL".equals(kind) || "ERROR".equals(kind);
                        if (last && waiting.remove(v.path("videoId").asText()) && "ERROR".equals(kind)) {
                            errors[0]++;
                        }
                    }
                }
            }
        }
        return null;
    }

    /**
     * A consumer of {@code topic} from its beginning that sees only committed transactions: how verdicts must be
     * read when the job writes them exactly once.
     */
    public static KafkaConsumer<String, String> readCommittedConsumer(String brokers, String topic, String groupId) {
        return readCommittedConsumer(brokers, topic, groupId, Map.of());
    }

    /** The same, with the client properties ({@code --kafka-property}: security and the like) the job uses. */
    public static KafkaConsumer<String, String> readCommittedConsumer(String brokers, String topic, String groupId,
            Map<String, String> clientProperties) {
        return readCommittedConsumer(brokers, topic, groupId, clientProperties, 0);
    }

    /**
     * The same, starting at the first record written at or after {@code sinceMs} in each partition (0: the
     * beginning): a topic of given brokers may hold years of earlier verdicts. From a time, the consumer is assigned
     * the topic's partitions and joins no group, so that on given brokers it leaves neither offsets nor an empty group
     * behind; only a topic that does not exist yet (brokers that create topics as the job first writes) is subscribed
     * to in {@code groupId}, which then commits no offsets either.
     */
    static KafkaConsumer<String, String> readCommittedConsumer(String brokers, String topic, String groupId,
            Map<String, String> clientProperties, long sinceMs) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (sinceMs <= 0) {
            return subscribed(p, topic, groupId, null);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        try {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                c.close();
                return subscribed(p, topic, groupId, sinceMs);
            }
            c.assign(partitions);
            seekTo(c, partitions, sinceMs);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** A consumer of {@code topic} in {@code groupId}, sought to {@code sinceMs} (null: its committed offsets). */
    private static KafkaConsumer<String, String> subscribed(Properties p, String topic, String groupId,
            Long sinceMs) {
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        if (sinceMs == null) {
            c.subscribe(List.of(topic));
            return c;
        }
        c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                seekTo(c, partitions, sinceMs);
            }
        });
        return c;
    }

    /**
     * Seeks each partition to its first record written at or after {@code sinceMs}; where nothing was written since,
     * to its start (the caller filters): a seek to its end could pass a verdict written meanwhile.
     */
    private static void seekTo(KafkaConsumer<String, String> c, Collection<TopicPartition> partitions,
            long sinceMs) {
        Map<TopicPartition, Long> at = new HashMap<>();
        partitions.forEach(tp -> at.put(tp, sinceMs));
        c.offsetsForTimes(at).forEach((tp, found) -> {
            if (found != null) {
                c.seek(tp, found.offset());
            } else {
                c.seekToBeginning(List.of(tp));
            }
        });
    }
}
