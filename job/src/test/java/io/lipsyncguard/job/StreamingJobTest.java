package io.lipsyncguard.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.models.Device;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The streaming job's own guards on its environment, checked on the built graph without running it. */
class StreamingJobTest {

    private static StreamExecutionEnvironment built(Duration checkpointTimeout, Duration transactionTimeout) {
        Configuration conf = LipsyncWorkflow.baseConfiguration();
        if (checkpointTimeout != null) {
            conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, checkpointTimeout);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        KafkaJobSettings kafka = KafkaJobSettings.defaults("localhost:9")
                .withDelivery(DeliveryGuarantee.EXACTLY_ONCE, Duration.ofSeconds(5))
                .withTransactionTimeout(transactionTimeout);
        StreamingJob.build(env, JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU), kafka);
        return env;
    }

    @Test
    void aCheckpointTimeoutThatLeavesNoRoomForARecoveryIsLowered() {
        // a transaction lives up to the longer of interval (5 s) and checkpoint timeout, plus a timeout, plus the
        // recovery after a failure that its commit may wait for: a third of the transaction timeout is kept for that
        long tx = Duration.ofMinutes(15).toMillis();
        long lowered = (tx - 5_000 - tx / 3) / 2;
        // Flink's default (10 min) is lowered
        assertThat(built(null, Duration.ofMinutes(15)).getCheckpointConfig().getCheckpointTimeout()).isEqualTo(lowered);
        assertThat(built(Duration.ofMinutes(20), Duration.ofMinutes(4)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo((240_000 - 5_000 - 80_000) / 2);
        // 5 min each leave 5 min less the interval for a recovery: under the third kept for it
        assertThat(built(Duration.ofMinutes(5), Duration.ofMinutes(15)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo(lowered);
        // one that leaves the recovery its share is kept, the shipped 4 min among them
        assertThat(built(Duration.ofMinutes(4), Duration.ofMinutes(15)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo(Duration.ofMinutes(4).toMillis());
        // with the former 10 min transaction timeout, 4 min checkpoints left 2 min for a recovery: too little
        assertThat(built(Duration.ofMinutes(4), Duration.ofMinutes(10)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo((600_000 - 5_000 - 200_000) / 2);
        // and a transaction timeout that leaves no room is refused
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> built(null, Duration.ofMillis(6000)))
                .hasMessageContaining("leaves no room for a checkpoint");
    }

    @Test
    void theShortestTransactionTimeoutTheJobNamesIsTheShortestItBuildsWith() {
        long shortest = StreamingJob.minimumTransactionTimeoutMs(5_000);
        // about 1.5 times the interval and two one-second checkpoints
        assertThat(shortest).isBetween(10_400L, 10_600L);
        assertThat(built(null, Duration.ofMillis(shortest)).getCheckpointConfig().getCheckpointTimeout())
                .isGreaterThanOrEqualTo(StreamingJob.MIN_CHECKPOINT_TIMEOUT_MS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> built(null, Duration.ofMillis(shortest - 1)))
                .hasMessageContaining("leaves no room for a checkpoint")
                .hasMessageContaining("raise --transaction-timeout-ms to " + shortest);
    }

    @Test
    void theJobBansGenericTypesInAnEnvironmentThatDoesNot() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
        org.assertj.core.api.Assertions.assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled())
                .isFalse();
        StreamingJob.build(env, JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU),
                KafkaJobSettings.defaults("localhost:9"));
        org.assertj.core.api.Assertions.assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled())
                .isTrue();
    }
}
