package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.StreamingJob;
import io.lipsyncguard.job.verdict.VerdictAggregator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine.Option;

/**
 * The streaming job's options shared by {@code run} and the cluster entry point: topics, consumer group, delivery,
 * checkpoints, reference prefixes, rolling/idle behaviour and Kafka client properties. The defaults that differ
 * between a local demo and a cluster are given by the command.
 */
public final class StreamingOptions {

    @Option(names = "--chunks-topic", defaultValue = "lipsync.chunks",
            description = "Topic the media chunks are read from (default: ${DEFAULT-VALUE}).")
    String chunksTopic;

    @Option(names = "--verdicts-topic", defaultValue = "lipsync.verdicts",
            description = "Topic the ROLLING and FINAL verdicts are written to (default: ${DEFAULT-VALUE}).")
    String verdictsTopic;

    @Option(names = "--errors-topic", defaultValue = "lipsync.errors",
            description = "Topic of the error records (dead letters) that say why an input was not analysed "
                    + "(default: ${DEFAULT-VALUE}).")
    String errorsTopic;

    @Option(names = "--scores-topic", description = "Per-window scores topic (default: none).")
    String scoresTopic;

    @Option(names = "--group-id", description = "Kafka consumer group of the chunks source, and the prefix of the "
            + "sinks' transactional ids: one per deployment, since two jobs sharing it fence each other's "
            + "transactions (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--delivery", defaultValue = "EXACTLY_ONCE", description = "EXACTLY_ONCE or AT_LEAST_ONCE "
            + "(default: ${DEFAULT-VALUE}); with AT_LEAST_ONCE a failure can repeat verdicts written since the last "
            + "checkpoint, a FINAL among them, and list an error of the FINAL twice.")
    DeliveryGuarantee delivery;

    @Option(names = "--checkpoint-interval-ms", description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
    long checkpointMs;

    @Option(names = "--transaction-timeout-ms", defaultValue = "900000", description = "Kafka transaction timeout "
            + "of the exactly-once sinks: longer than two checkpoints and a recovery take, at most the brokers' "
            + "transaction.max.timeout.ms (default: ${DEFAULT-VALUE}, 15 min, the brokers' default maximum).")
    long transactionTimeoutMs;

    @Option(names = "--allow-prefix", description = "URI prefix references may point under (repeatable), e.g. "
            + "s3://media-bucket/uploads/.")
    List<String> allowedPrefixes = new ArrayList<>();

    @Option(names = "--rolling-every", description = "ROLLING verdict every n windows (default: ${DEFAULT-VALUE}).")
    int rollingEvery;

    @Option(names = "--idle-timeout-seconds", description = "FINAL verdict (reason idle) for a video without new "
            + "chunks for this long; 0: never, except that a video whose last chunk has arrived waits at most "
            + "5 min for a chunk lost before it (default: ${DEFAULT-VALUE}).")
    int idleSeconds;

    @Option(names = "--state-ttl-hours", defaultValue = "168", description = "How long the state of a video "
            + "without new chunks is kept (its buffers, its aggregate, the marker of an ended video); 0 keeps it for "
            + "ever. The time the job is down counts: restored from a checkpoint older than this, the videos that "
            + "were live lose their state, so keep it above the longest outage (default: ${DEFAULT-VALUE}, 7 days).")
    long stateTtlHours;

    @Option(names = "--max-batch", defaultValue = "16", description = "Most windows per model call, across the "
            + "videos of a JVM: larger on a GPU, smaller for a heavy model on CPU (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-batch-wait-ms", defaultValue = "20", description = "Longest a window waits for its batch "
            + "to fill (default: ${DEFAULT-VALUE}).")
    long maxBatchWaitMs;

    @Option(names = "--score-timeout-ms", defaultValue = "120000", description = "A window the model has not scored "
            + "by then counts as unscored (reason unscored-windows); the job never restarts for it. Keep it well "
            + "below the checkpoint timeout, which waits for the windows in flight (default: ${DEFAULT-VALUE}).")
    long scoreTimeoutMs;

    @Option(names = "--async-capacity", defaultValue = "64", description = "Windows in flight per scoring subtask; "
            + "beyond it the job backpressures the source (default: ${DEFAULT-VALUE}).")
    int asyncCapacity;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Kafka client property for the "
            + "source and the sinks (repeatable), e.g. security.protocol=SASL_SSL.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    StreamingOptions(long checkpointMs, int rollingEvery, int idleSeconds, String groupId) {
        this.groupId = groupId;
        this.checkpointMs = checkpointMs;
        this.rollingEvery = rollingEvery;
        this.idleSeconds = idleSeconds;
    }

    /** The job configuration with these rolling and idle settings. */
    JobConfig apply(JobConfig config) {
        return config.withRolling(rollingEvery, 0).withIdleTimeout(Duration.ofSeconds(idleSeconds))
                .withStateTimeToLive(Duration.ofHours(stateTtlHours))
                .withBatching(maxBatch, Duration.ofMillis(maxBatchWaitMs))
                .withScoreTimeout(Duration.ofMillis(scoreTimeoutMs))
                .withAsyncCapacity(asyncCapacity);
    }

    /**
     * Refuses a topic given to two streams: verdicts and error records on one topic would end {@code run}'s wait on
     * an error record, and chunks sharing a topic with an output would be read back as input.
     */
    private void requireDistinctTopics() {
        Map<String, String> optionOf = new LinkedHashMap<>();
        String[][] topics = {{"--chunks-topic", chunksTopic}, {"--verdicts-topic", verdictsTopic},
            {"--errors-topic", errorsTopic}, {"--scores-topic", scoresTopic}};
        for (String[] t : topics) {
            if (t[1] == null) {
                continue;
            }
            if (t[1].isBlank()) {
                throw new IllegalArgumentException(t[0] + " must not be blank");
            }
            String other = optionOf.putIfAbsent(t[1], t[0]);
            if (other != null) {
                throw new IllegalArgumentException(other + " and " + t[0] + " are both '" + t[1] + "': each stream "
                        + "needs a topic of its own");
            }
        }
    }

    /** Where the job reads and writes on {@code brokers}; every option is checked here, before a broker starts. */
    KafkaJobSettings settings(String brokers) {
        if (delivery == DeliveryGuarantee.NONE) {
            // without checkpoints and redelivery a failure can lose a video's FINAL verdict (AT_LEAST_ONCE can
            // repeat it)
            throw new IllegalArgumentException("--delivery must be EXACTLY_ONCE or AT_LEAST_ONCE, not NONE");
        }
        if (idleSeconds < 0 || rollingEvery < 0) {
            // a negative idle timeout is due at once: every video would be closed as idle after its first chunk
            throw new IllegalArgumentException("--idle-timeout-seconds (" + idleSeconds + ") and --rolling-every ("
                    + rollingEvery + ") must be 0 (never) or more");
        }
        if (checkpointMs < 100) {
            // the job's promise of one FINAL verdict per video rests on its checkpoints
            throw new IllegalArgumentException("--checkpoint-interval-ms must be at least 100 but is " + checkpointMs);
        }
        if (maxBatch < 1 || maxBatch > 4096 || maxBatchWaitMs < 0 || maxBatchWaitMs > 10_000 || scoreTimeoutMs < 1000
                || asyncCapacity < 1 || asyncCapacity > 100_000) {
            throw new IllegalArgumentException("--max-batch must be 1..4096 (is " + maxBatch + "), --max-batch-wait-ms "
                    + "0..10000 (is " + maxBatchWaitMs + "), --score-timeout-ms at least 1000 (is " + scoreTimeoutMs
                    + ") and --async-capacity 1..100000 (is " + asyncCapacity + ")");
        }
        if (stateTtlHours < 0 || (stateTtlHours > 0 && idleSeconds > 0 && stateTtlHours * 3600 <= idleSeconds)) {
            // a live video's state would expire before the idle timeout closes it, and it would get no FINAL
            throw new IllegalArgumentException("--state-ttl-hours (" + stateTtlHours + ") must be 0 (for ever) or "
                    + "longer than --idle-timeout-seconds (" + idleSeconds + ")");
        }
        long endWaitMs = VerdictAggregator.endWaitMs(Duration.ofMillis(scoreTimeoutMs));
        if (stateTtlHours > 0 && stateTtlHours * 3_600_000 <= endWaitMs) {
            // the aggregate would expire while its FINAL waits for what is still missing after the END
            throw new IllegalArgumentException("--state-ttl-hours (" + stateTtlHours + ") must be 0 (for ever) or "
                    + "longer than --score-timeout-ms (" + scoreTimeoutMs + ") plus ten minutes, the longest a "
                    + "verdict waits after its video's end");
        }
        if (transactionTimeoutMs < 1 || transactionTimeoutMs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--transaction-timeout-ms must be 1.." + Integer.MAX_VALUE + " but is "
                    + transactionTimeoutMs);
        }
        long shortestTransaction = StreamingJob.minimumTransactionTimeoutMs(checkpointMs);
        if (delivery == DeliveryGuarantee.EXACTLY_ONCE && transactionTimeoutMs < shortestTransaction) {
            // a transaction is committed when the checkpoint after it completes, and after a failure only once the
            // restored job is up: one that times out first is lost (the job fits its checkpoint timeout into what
            // is left, and needs a second for it at least)
            throw new IllegalArgumentException("--transaction-timeout-ms (" + transactionTimeoutMs + ") must be at "
                    + "least " + shortestTransaction + " with --checkpoint-interval-ms (" + checkpointMs + "): two "
                    + "checkpoints and a recovery must fit in a transaction");
        }
        requireDistinctTopics();
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("--group-id must not be blank");
        }
        KafkaJobSettings kafka = KafkaJobSettings.defaults(brokers)
                .withTopics(chunksTopic, verdictsTopic, errorsTopic, scoresTopic)
                .withGroupId(groupId)
                .withDelivery(delivery, Duration.ofMillis(checkpointMs))
                .withTransactionTimeout(Duration.ofMillis(transactionTimeoutMs))
                .withAllowedPrefixes(allowedPrefixes)
                .withClientProperties(kafkaProperties);
        // the job's own source, sink and policy, whose checks it would otherwise meet only once a broker is up
        try {
            StreamingJob.references(kafka);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--allow-prefix: " + e.getMessage(), e);
        }
        try {
            StreamingJob.source(kafka);
            StreamingJob.sink(kafka, kafka.verdictsTopic(), "verdicts");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kafka-property: " + e.getMessage(), e);
        }
        return kafka;
    }
}
