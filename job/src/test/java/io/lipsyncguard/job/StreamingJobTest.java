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
    void aCheckpointTimeoutNotBelowTheTransactionTimeoutIsLowered() {
        // Flink's default (10 min) equals the sinks' default transaction timeout: a checkpoint that slow would commit
        // transactions the broker had already aborted
        // (with the 5 s interval: a transaction lives up to the longer of interval and timeout, plus a timeout)
        assertThat(built(null, Duration.ofMinutes(10)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo((600_000 - 5_000) / 2);
        assertThat(built(Duration.ofMinutes(20), Duration.ofMinutes(4)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo((240_000 - 5_000) / 2);
        // a transaction spans two checkpoints: 5 min each can take 10 min, as long as the transaction may live
        assertThat(built(Duration.ofMinutes(5), Duration.ofMinutes(10)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo((600_000 - 5_000) / 2);
        // one whose two fit is kept, the shipped 4 min among them
        assertThat(built(Duration.ofMinutes(3), Duration.ofMinutes(10)).getCheckpointConfig().getCheckpointTimeout())
                .isEqualTo(Duration.ofMinutes(3).toMillis());
        assertThat(built(Duration.ofMinutes(4), Duration.ofMinutes(10)).getCheckpointConfig()
                .getCheckpointTimeout()).isEqualTo(Duration.ofMinutes(4).toMillis());
        // and a transaction timeout that leaves no room is refused
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> built(null, Duration.ofMillis(6000)))
                .hasMessageContaining("leaves no room for a checkpoint");
    }
}
