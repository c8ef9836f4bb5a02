package io.lipsyncguard.connectors.kafka;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka (KRaft, combined broker and controller) running inside this JVM, for tests and for
 * {@code lipsync run}, which needs a broker without the user installing one.
 *
 * <p>It listens on a random localhost port ({@link #bootstrapServers()}), keeps its data in a temporary directory
 * deleted on {@link #close()}, and accepts records up to its {@code maxRecordBytes} (see {@link KafkaLimits}).
 * Internal topics are sized for one node so that consumer groups and transactions work.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 60;

    /** The test kit's worker threads, on which Kafka's storage formatter prints to stdout. */
    private static final String TEST_KIT_THREAD_PREFIX = "kafka-cluster-test-kit-";

    private final KafkaClusterTestKit cluster;
    private final int maxRecordBytes;
    private final Admin admin;
    // KafkaClusterTestKit.close() fails when called twice; try-with-resources plus a shutdown hook would do that.
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaClusterTestKit cluster, int maxRecordBytes) {
        this.cluster = cluster;
        this.maxRecordBytes = maxRecordBytes;
        Properties adminProperties = new Properties();
        adminProperties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        this.admin = Admin.create(adminProperties);
    }

    /**
     * Whether the broker's jars are on the classpath: the cluster image leaves them out (it always has real brokers),
     * so callers can say so instead of failing with a missing class.
     */
    public static boolean available() {
        try {
            Class.forName("org.apache.kafka.common.test.KafkaClusterTestKit", false,
                    EmbeddedKafka.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Starts a broker accepting records up to {@link KafkaLimits#DEFAULT_MAX_RECORD_BYTES}. */
    public static EmbeddedKafka start() throws Exception {
        return start(KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
    }

    /** Starts a broker accepting record values up to {@code maxRecordBytes}; returns once it serves clients. */
    public static EmbeddedKafka start(int maxRecordBytes) throws Exception {
        return start(maxRecordBytes, Map.of());
    }

    /**
     * As {@link #start(int)}, with broker settings over the defaults: a test's broker configured as a production
     * cluster may be (no topic auto-creation, say).
     */
    public static EmbeddedKafka start(int maxRecordBytes, Map<String, String> brokerOverrides) throws Exception {
        KafkaLimits.requirePositive(maxRecordBytes);
        BrokerLogLevels.quiet();
        TestKitNodes nodes = new TestKitNodes.Builder(
                        // Production features only: the test kit's default enables unreleased ones.
                        BootstrapMetadata.fromVersion(MetadataVersion.latestProduction(), "lipsync-embedded"))
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerConfig(maxRecordBytes).forEach(builder::setConfigProp);
        brokerOverrides.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        try {
            formatWithoutPrinting(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new EmbeddedKafka(cluster, maxRecordBytes);
        } catch (Exception | Error e) {
            try {
                cluster.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    static Map<String, String> brokerConfig(int maxRecordBytes) {
        Map<String, String> config = new HashMap<>(KafkaLimits.brokerProperties(maxRecordBytes));
        // Internal topics default to replication factor 3 and would never be created on a single node.
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "4");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "4");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        // A lone consumer should not wait the default 3 s for peers that will never join.
        config.put("group.initial.rebalance.delay.ms", "0");
        // Defaults are sized for a dedicated server; the job needs the cores.
        config.put("num.network.threads", "2");
        config.put("num.io.threads", "2");
        config.put("background.threads", "2");
        config.put("num.recovery.threads.per.data.dir", "1");
        config.put("log.cleaner.threads", "1");
        return config;
    }

    /**
     * Formats the storage directories. Kafka's formatter prints a report to stdout, where {@code lipsync} writes
     * one JSON verdict per line; only the formatting threads' output is dropped, everyone else's passes through.
     */
    private static void formatWithoutPrinting(KafkaClusterTestKit cluster) throws Exception {
        PrintStream original = System.out;
        OutputStream filter = new OutputStream() {
            @Override
            public void write(int b) {
                if (!formatting()) {
                    original.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (!formatting()) {
                    original.write(b, off, len);
                }
            }

            @Override
            public void flush() {
                original.flush();
            }

            private boolean formatting() {
                return Thread.currentThread().getName().startsWith(TEST_KIT_THREAD_PREFIX);
            }
        };
        System.setOut(new PrintStream(filter, true, Charset.defaultCharset()));
        try {
            cluster.format();
        } finally {
            System.setOut(original);
        }
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The record value size limit this broker was started with. */
    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * Creates a topic (replication factor 1) accepting this broker's record size, and waits until every partition
     * has a leader so that clients can use it at once.
     */
    public void createTopic(String name, int partitions) throws InterruptedException {
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(KafkaLimits.topicConfigs(maxRecordBytes));
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (!allPartitionsLed(name, partitions)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "topic " + name + " has no leaders after " + TIMEOUT_SECONDS + " s");
                }
                Thread.sleep(20);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getMessage(), e);
        }
    }

    private boolean allPartitionsLed(String name, int partitions) throws InterruptedException {
        try {
            TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(name);
            return description.partitions().size() == partitions
                    && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (ExecutionException | TimeoutException e) {
            // Metadata not yet propagated to the broker: ask again.
            return false;
        }
    }

    /** Stops the broker and deletes its data; later calls do nothing. */
    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            admin.close(Duration.ofSeconds(5));
        } finally {
            cluster.close();
        }
    }
}
