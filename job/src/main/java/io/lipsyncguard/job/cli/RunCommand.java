package io.lipsyncguard.job.cli;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ChunkProducer;
import io.lipsyncguard.connectors.kafka.EmbeddedKafka;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.StreamingJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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

    @Mixin
    StreamingOptions streaming = new StreamingOptions(2000, 3, 60);

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
        if (demo) {
            Path dir = Files.createTempDirectory("lipsync-demo");
            System.err.println("writing demo clips to " + dir);
            files.addAll(io.lipsyncguard.job.sample.TalkingHeadGenerator.writeDemoSet(dir));
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                System.err.println("run: no such file: " + f);
                return 2;
            }
        }
        JobConfig checked = options.loadable("run");
        if (checked == null) {
            return 2;
        }
        EmbeddedKafka embedded = null;
        try {
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
            JobConfig config = streaming.apply(checked);
            KafkaJobSettings kafka = streaming.settings(brokers);
            JobClient job = start(config, kafka, options.parallelism);
            try {
                Set<String> waiting = new HashSet<>();
                if (!files.isEmpty()) {
                    List<MediaChunk> chunks = PublishCommand.chunksOf(files, chunkSeconds, "ts");
                    chunks.forEach(c -> waiting.add(c.videoId()));
                    Thread publisher = new Thread(() -> {
                        try (ChunkProducer p = ChunkProducer.builder(kafka.bootstrapServers(), kafka.chunksTopic())
                                .idempotent(true).build()) {
                            PublishCommand.send(p, chunks, realtime ? chunkSeconds : 0);
                        } catch (Exception e) {
                            System.err.println("run: publishing failed: " + e.getMessage());
                        }
                    }, "lipsync-publisher");
                    publisher.setDaemon(true);
                    publisher.start();
                }
                printVerdicts(kafka.bootstrapServers(), kafka.verdictsTopic(), waiting, !files.isEmpty());
            } finally {
                job.cancel().get();
            }
            return 0;
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** Starts the streaming job on an embedded Flink with a restart strategy, returning at once. */
    public static JobClient start(JobConfig config, KafkaJobSettings kafka, int parallelism) throws Exception {
        Configuration conf = LipsyncWorkflow.baseConfiguration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        StreamingJob.build(env, config, kafka);
        return env.executeAsync("lipsync-run");
    }

    /** Prints verdict messages (read_committed) until every video in {@code waiting} has a FINAL or ERROR one. */
    static void printVerdicts(String brokers, String topic, Set<String> waiting, boolean stopWhenDone) {
        ObjectMapper json = new ObjectMapper();
        try (KafkaConsumer<String, String> consumer =
                readCommittedConsumer(brokers, topic, "lipsync-cli-" + System.nanoTime())) {
            while (!stopWhenDone || !waiting.isEmpty()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    System.out.println(r.value());
                    System.out.flush();
                    try {
                        JsonNode v = json.readTree(r.value());
                        if (!"ROLLING".equals(v.path("kind").asText())) {
                            waiting.remove(v.path("videoId").asText());
                        }
                    } catch (Exception e) {
                        // a foreign message on the topic: printed, not understood
                    }
                }
            }
        }
    }

    /**
     * A consumer of {@code topic} from its beginning that sees only committed transactions: how verdicts must be
     * read when the job writes them exactly once.
     */
    public static KafkaConsumer<String, String> readCommittedConsumer(String brokers, String topic, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }
}
