package io.lipsyncguard.job;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ErrorRecordSerializer;
import io.lipsyncguard.connectors.kafka.KafkaChunkSources;
import io.lipsyncguard.connectors.kafka.KafkaJsonSinks;
import io.lipsyncguard.connectors.kafka.KafkaSinkSettings;
import io.lipsyncguard.connectors.kafka.KafkaSourceSettings;
import io.lipsyncguard.connectors.kafka.ReferencePolicy;
import io.lipsyncguard.job.score.ScoredWindowSerializer;
import io.lipsyncguard.job.verdict.VerdictSerializer;
import io.lipsyncguard.job.window.WindowKind;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires Kafka in and out of the workflow: the product's streaming job ({@code ./lipsync run}, the cluster image). */
public final class StreamingJob {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);

    private StreamingJob() {}

    /**
     * Key groups of the keyed state, fixed so that a savepoint restores at any parallelism up to it: Flink derives
     * the default from the first parallelism, which a later rescale could not go beyond.
     */
    public static final int MAX_PARALLELISM = 128;

    /** The share of the transaction timeout (1/n) kept for a recovery after the checkpoint that prepared it. */
    static final int RECOVERY_SHARE = 3;

    /** The shortest checkpoint timeout the job lowers to: a checkpoint of a few operators takes about a second. */
    static final long MIN_CHECKPOINT_TIMEOUT_MS = 1000;

    /**
     * The checkpoint timeout that fits two checkpoints and a recovery in a transaction of {@code transactionMs}
     * opened every {@code intervalMs}: half of what the interval and the recovery's share leave.
     */
    static long loweredCheckpointTimeoutMs(long transactionMs, long intervalMs) {
        return (transactionMs - intervalMs - transactionMs / RECOVERY_SHARE) / 2;
    }

    /**
     * The shortest exactly-once transaction timeout with which {@link #build} finds room for a checkpoint of at least
     * {@link #MIN_CHECKPOINT_TIMEOUT_MS} after an interval of {@code intervalMs}: about 1.5 times the interval plus
     * two seconds.
     */
    public static long minimumTransactionTimeoutMs(long intervalMs) {
        long need = intervalMs + 2 * MIN_CHECKPOINT_TIMEOUT_MS;
        long t = need * RECOVERY_SHARE / (RECOVERY_SHARE - 1) - 1;
        while (loweredCheckpointTimeoutMs(t, intervalMs) < MIN_CHECKPOINT_TIMEOUT_MS) {
            t++;
        }
        return t;
    }

    public static LipsyncStreams build(StreamExecutionEnvironment env, JobConfig config, KafkaJobSettings kafka) {
        if (env.getMaxParallelism() <= 0) { // unless the cluster's configuration sets one
            env.setMaxParallelism(MAX_PARALLELISM);
        }
        env.enableCheckpointing(kafka.checkpointInterval().toMillis(),
                kafka.delivery() == DeliveryGuarantee.EXACTLY_ONCE ? CheckpointingMode.EXACTLY_ONCE
                        : CheckpointingMode.AT_LEAST_ONCE);
        long checkpointTimeoutMs = env.getCheckpointConfig().getCheckpointTimeout();
        long transactionMs = kafka.transactionTimeout().toMillis();
        long intervalMs = kafka.checkpointInterval().toMillis();
        long recoveryMs = transactionMs / RECOVERY_SHARE;
        if (kafka.delivery() == DeliveryGuarantee.EXACTLY_ONCE
                && Math.max(intervalMs, checkpointTimeoutMs) + checkpointTimeoutMs + recoveryMs >= transactionMs) {
            // a transaction opens at one checkpoint's barrier and commits when the next checkpoint completes: the
            // first may take a timeout to complete, the next starts an interval after the first began or once it is
            // done and may take a timeout too. One that outlives its transaction timeout commits nothing (the
            // broker has aborted it, and the Kafka committer only logs that), so its verdicts are lost without a
            // failure. A failure after the checkpoint that prepared it leaves it to be committed by the restored job,
            // so a recovery must fit too: a third of the timeout is kept for it. Half of what the interval and the
            // recovery leave keeps both checkpoints within the rest
            long lowered = loweredCheckpointTimeoutMs(transactionMs, intervalMs);
            if (lowered < MIN_CHECKPOINT_TIMEOUT_MS) { // the options' check (StreamingOptions) refuses it before
                throw new IllegalArgumentException("the Kafka transaction timeout (" + transactionMs + " ms) leaves "
                        + "no room for a checkpoint after the " + intervalMs + " ms interval: raise "
                        + "--transaction-timeout-ms to " + minimumTransactionTimeoutMs(intervalMs)
                        + " or lower --checkpoint-interval-ms");
            }
            LOG.warn("two checkpoints (interval {} ms, timeout {} ms) and a recovery ({} ms) can outlast the Kafka "
                    + "transaction timeout {} ms; using a checkpoint timeout of {} ms", intervalMs, checkpointTimeoutMs,
                    recoveryMs, transactionMs, lowered);
            env.getCheckpointConfig().setCheckpointTimeout(lowered);
        }
        if (config.scoreTimeout().toMillis() >= env.getCheckpointConfig().getCheckpointTimeout()) {
            // a checkpoint waits for the windows in flight, each up to the score timeout
            LOG.warn("score timeout {} ms is not below the checkpoint timeout {} ms: a slow model can fail "
                    + "checkpoints", config.scoreTimeout().toMillis(), env.getCheckpointConfig().getCheckpointTimeout());
        }
        ReferencePolicy references = references(kafka);
        DataStream<MediaChunk> chunks = env
                .fromSource(KafkaChunkSources.create(source(kafka), references), WatermarkStrategy.noWatermarks(),
                        "kafka-chunks")
                .uid("kafka-chunk-source");
        LipsyncStreams streams = LipsyncWorkflow.defineWorkflow(chunks, config, references);
        streams.verdicts()
                .sinkTo(KafkaJsonSinks.create(sink(kafka, kafka.verdictsTopic(), "verdicts"), v -> v.videoId(),
                        new VerdictSerializer()))
                .name("verdicts-sink")
                .uid("verdicts-sink");
        streams.errors()
                .sinkTo(KafkaJsonSinks.create(sink(kafka, kafka.errorsTopic(), "errors"), e -> e.videoId(),
                        new ErrorRecordSerializer()))
                .name("errors-sink")
                .uid("errors-sink");
        if (kafka.scoresTopic() != null) {
            streams.scoredWindows()
                    // windows only, as `analyze --windows` writes them: the END and ERROR events that pass through
                    // the scorer are the aggregator's control records, whose index and times mean something else
                    .filter(w -> w.kind() == WindowKind.WINDOW)
                    .name("scores-windows")
                    .uid("scores-windows")
                    .sinkTo(KafkaJsonSinks.create(sink(kafka, kafka.scoresTopic(), "scores"), w -> w.videoId(),
                            new ScoredWindowSerializer()))
                    .name("scores-sink")
                    .uid("scores-sink");
        }
        return streams;
    }

    /** The chunk source's settings: from the group's committed offsets, with the client properties. */
    public static KafkaSourceSettings source(KafkaJobSettings kafka) {
        return KafkaSourceSettings.forTopic(kafka.bootstrapServers(), kafka.chunksTopic(), kafka.groupId())
                .withStartingOffsets(KafkaSourceSettings.StartingOffsets.COMMITTED)
                .withProperties(kafka.clientProperties());
    }

    /** Which media references the job may open: none unless prefixes are allowed. */
    public static ReferencePolicy references(KafkaJobSettings kafka) {
        return kafka.allowedPrefixes().isEmpty() ? ReferencePolicy.denyAll()
                : new ReferencePolicy(kafka.allowedPrefixes());
    }

    /** The settings of the sink writing {@code topic}, its transactional ids named after {@code role}. */
    public static KafkaSinkSettings sink(KafkaJobSettings kafka, String topic, String role) {
        KafkaSinkSettings s = kafka.delivery() == DeliveryGuarantee.EXACTLY_ONCE
                ? KafkaSinkSettings.exactlyOnce(kafka.bootstrapServers(), topic, kafka.groupId() + "-" + role)
                : KafkaSinkSettings.atLeastOnce(kafka.bootstrapServers(), topic);
        return s.withProperties(kafka.clientProperties()).withTransactionTimeout(kafka.transactionTimeout());
    }
}
