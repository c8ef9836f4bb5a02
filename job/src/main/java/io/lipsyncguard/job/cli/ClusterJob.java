package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.KafkaJobSettings;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.StreamingJob;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The entry class of the streaming job on a Flink cluster (application mode, the Kubernetes operator's
 * {@code entryClass}): the same {@link StreamingJob} as {@code ./lipsync run}, on the cluster's environment. Restart
 * strategy, state backend, checkpoint storage and (without {@code --parallelism}) parallelism come from the cluster's
 * configuration; the checkpoint interval and mode from {@code --checkpoint-interval-ms} and {@code --delivery}.
 */
@Command(name = "lipsync-guard-cluster", mixinStandardHelpOptions = true,
        description = "Run the lipsync-guard streaming job on the Flink cluster it is submitted to.")
public final class ClusterJob implements Callable<Integer> {

    /** The job's name, also the {@code job_name} label of its metrics (k8s/monitoring.yaml selects by it). */
    public static final String JOB_NAME = "lipsync-guard";

    @Mixin
    ModelOptions options = new ModelOptions();

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka brokers.")
    String bootstrapServers;

    @Mixin
    StreamingOptions streaming = new StreamingOptions(5000, 5, 120, "lipsync-guard");

    @Option(names = "--plan", description = "Print the job graph as JSON and exit without running it.")
    boolean plan;

    @Spec
    CommandSpec spec;

    /** Whether {@code --parallelism} was on the command line (its default of 2 is for local runs). */
    boolean parallelismGiven() {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--parallelism");
    }

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
        JobConfig checked = options.loadableCheckedOnCpu("cluster");
        if (checked == null) {
            return 2;
        }
        JobConfig config;
        KafkaJobSettings kafka;
        try {
            kafka = streaming.settings(bootstrapServers);
            config = streaming.apply(checked);
        } catch (IllegalArgumentException e) {
            System.err.println("cluster: " + e.getMessage()); // inconsistent options are a usage error, as in run
            return 2;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                LipsyncWorkflow.baseConfiguration());
        // the deployment's parallelism (the operator's spec.job.parallelism, its autoscaler) unless given here
        if (parallelismGiven() && options.parallelism > 0) {
            env.setParallelism(options.parallelism);
        }
        StreamingJob.build(env, config, kafka);
        if (plan) {
            System.out.println(env.getExecutionPlan());
            return 0;
        }
        env.execute(JOB_NAME);
        return 0;
    }
}
