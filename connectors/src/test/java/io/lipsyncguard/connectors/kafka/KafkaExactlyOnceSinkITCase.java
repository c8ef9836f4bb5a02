package io.lipsyncguard.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An EXACTLY_ONCE {@link KafkaJsonSinks} sink, failing and restarting mid-stream, still shows each record exactly
 * once to a {@code read_committed} reader: replayed records come only from aborted transactions.
 */
class KafkaExactlyOnceSinkITCase {

    private static final int PARALLELISM = 2;
    private static final int RECORDS = 200;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build());

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void readCommittedConsumerSeesEachRecordOnceDespiteAFailureAndReplay() throws Exception {
        String topic = KAFKA.freshTopic("dead-letters", 3);
        FailOnceAfterCheckpoint.reset();

        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(200);

        // Rate-limited so that checkpoints complete while records are still flowing.
        DataGeneratorSource<ErrorRecord> source = new DataGeneratorSource<>(
                i -> new ErrorRecord("video-" + (i % 5), i, ErrorRecord.STAGE_DECODE, "reason " + i, 1_000L + i),
                RECORDS, RateLimiterStrategy.perSecond(100), TypeInformation.of(ErrorRecord.class));
        KafkaSinkSettings settings = KafkaSinkSettings.exactlyOnce(
                KAFKA.bootstrapServers(), topic, "it-eos-" + UUID.randomUUID());
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "errors")
                .map(new FailOnceAfterCheckpoint())
                .sinkTo(KafkaJsonSinks.create(settings, ErrorRecord::videoId, new ErrorRecordSerializer()));

        env.execute("exactly-once sink");

        assertThat(FailOnceAfterCheckpoint.FAILED).isTrue();
        assertThat(FailOnceAfterCheckpoint.INVOCATIONS.get())
                .as("records replayed after the restart")
                .isGreaterThan(RECORDS);
        List<ConsumerRecord<byte[], byte[]>> committed = readAll(topic, "read_committed");
        List<ErrorRecord> records = committed.stream()
                .map(r -> ErrorRecordSerializer.fromJson(r.value()))
                .collect(Collectors.toList());
        assertThat(records).extracting(ErrorRecord::sequence)
                .containsExactlyInAnyOrderElementsOf(LongStream.range(0, RECORDS).boxed().toList());
        assertThat(records).allSatisfy(r -> assertThat(r).isEqualTo(new ErrorRecord("video-" + (r.sequence() % 5),
                r.sequence(), "decode", "reason " + r.sequence(), 1_000L + r.sequence())));
        assertThat(committed).allSatisfy(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8))
                .isEqualTo(ErrorRecordSerializer.fromJson(r.value()).videoId()));
    }

    /** Everything a consumer with {@code isolationLevel} sees in the topic now. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, String isolationLevel) {
        return TopicReader.readAll(KAFKA.bootstrapServers(), topic, isolationLevel);
    }

    /** Passes records through, but fails once on subtask 0 after a checkpoint, forcing a restore and replay. */
    private static final class FailOnceAfterCheckpoint extends RichMapFunction<ErrorRecord, ErrorRecord>
            implements CheckpointListener {
        // Static: the failed and the restarted task instances must share them (same JVM in the mini cluster).
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicLong INVOCATIONS = new AtomicLong();

        private transient boolean checkpointed;
        private transient int seen;

        static void reset() {
            FAILED.set(false);
            INVOCATIONS.set(0);
        }

        @Override
        public ErrorRecord map(ErrorRecord value) {
            INVOCATIONS.incrementAndGet();
            seen++;
            if (checkpointed && seen > 10 && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                    && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after a completed checkpoint");
            }
            return value;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
