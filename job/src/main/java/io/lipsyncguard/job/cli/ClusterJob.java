package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.StreamingJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The entry class of the streaming job on a Flink cluster (application mode, the Kubernetes operator's
 * {@code entryClass}): the same {@link StreamingJob} as {@code ./lipsync run}, on the cluster's environment. Restart
 * strategy, state backend and checkpoint storage come from the cluster's configuration ({@code deploy/flink}).
 */
@Command(name = "lipsync-guard-cluster", mixinStandardHelpOptions = true,
        description = "Run the lipsync-guard streaming job on the Flink cluster it is submitted to.")
public final class ClusterJob implements Callable<Integer> {

    @Mixin
    ModelOptions options = new ModelOptions();

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers.")
    String bootstrapServers;

    @Option(names = "--chunks-topic", defaultValue = "lipsync.chunks")
    String chunksTopic;

    @Option(names = "--verdicts-topic", defaultValue = "lipsync.verdicts")
    String verdictsTopic;

    @Option(names = "--errors-topic", defaultValue = "lipsync.errors")
    String errorsTopic;

    @Option(names = "--scores-topic", description = "Per-window scores topic (default: none).")
    String scoresTopic;

    @Option(names = "--group-id", defaultValue = "lipsync-guard")
    String groupId;

    @Option(names = "--delivery", defaultValue = "EXACTLY_ONCE", description = "EXACTLY_ONCE or AT_LEAST_ONCE.")
    DeliveryGuarantee delivery;

    @Option(names = "--checkpoint-interval-ms", defaultValue = "5000")
    long checkpointMs;

    @Option(names = "--allow-prefix", description = "URI prefix references may point under (repeatable), e.g. "
            + "s3://media-bucket/uploads/.")
    List<String> allowedPrefixes = new ArrayList<>();

    @Option(names = "--rolling-every", defaultValue = "5", description = "ROLLING verdict every n windows.")
    int rollingEvery;

    @Option(names = "--idle-timeout-seconds", defaultValue = "120")
    int idleSeconds;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "Kafka client property for the "
            + "source and the sinks (repeatable), e.g. security.protocol=SASL_SSL.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--plan", description = "Print the job graph as JSON and exit without running it.")
    boolean plan;

    /** Flink calls this; a bad argument fails the submission with picocli's message instead of exiting the JVM. */
    public static void main(String[] args) throws Exception {
        int code = new CommandLine(new ClusterJob()).execute(args);
        if (code != 0) {
            throw new IllegalArgumentException("lipsync-guard cluster job not started (exit code " + code
                    + "); see the message above");
        }
    }

    @Override
    public Integer call() throws Exception {
        JobConfig checked = options.loadable("cluster");
        if (checked == null) {
            return 2;
        }
        JobConfig config = checked.withRolling(rollingEvery, 0).withIdleTimeout(Duration.ofSeconds(idleSeconds));
        KafkaJobSettings kafka = settings();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LipsyncWorkflow.baseConfiguration());
        if (options.parallelism > 0) {
            env.setParallelism(options.parallelism);
        }
        StreamingJob.build(env, config, kafka);
        if (plan) {
            System.out.println(env.getExecutionPlan());
            return 0;
        }
        env.execute("lipsync-guard");
        return 0;
    }

    KafkaJobSettings settings() {
        return KafkaJobSettings.defaults(bootstrapServers)
                .withTopics(chunksTopic, verdictsTopic, errorsTopic, scoresTopic)
                .withGroupId(groupId)
                .withDelivery(delivery, Duration.ofMillis(checkpointMs))
                .withAllowedPrefixes(allowedPrefixes)
                .withClientProperties(kafkaProperties);
    }
}
