package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The deployment files agree with the code: the operator's entry class exists and accepts its arguments, the jar
 * and paths match the build and the image, the configuration keeps Kryo off, the task managers ask for a GPU; and the
 * cluster entry point builds the real job graph.
 */
class DeploymentManifestsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The document of {@code kind} in {@code k8s/monitoring.yaml}. */
    static JsonNode monitoring(String kind) throws java.io.IOException {
        return YAML.readValues(YAML.createParser(ROOT.resolve("k8s/monitoring.yaml").toFile()), JsonNode.class)
                .readAll().stream().filter(d -> d.at("/kind").asText().equals(kind)).findFirst().orElseThrow();
    }

    @Test
    void theFlinkDeploymentRunsTheClusterEntryPointOnGpus() throws Exception {
        JsonNode d = YAML.readTree(ROOT.resolve("k8s/flinkdeployment.yaml").toFile());
        assertThat(d.at("/kind").asText()).isEqualTo("FlinkDeployment");
        JsonNode job = d.at("/spec/job");
        assertThat(Class.forName(job.at("/entryClass").asText())).isEqualTo(ClusterJob.class);
        assertThat(job.at("/jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/lipsync-guard-job.jar");
        assertThat(Files.readString(ROOT.resolve("job/pom.xml"))).contains("<finalName>lipsync-guard-job</finalName>");
        List<String> args = new ArrayList<>();
        job.at("/args").forEach(a -> args.add(a.asText()));
        ClusterJob parsed = new ClusterJob();
        new CommandLine(parsed).parseArgs(args.toArray(new String[0]));
        assertThat(parsed.bootstrapServers).isNotBlank();
        // the deployment's parallelism rules (and the operator's autoscaler may change it): the job does not set one
        assertThat(job.at("/parallelism").asInt()).isPositive();
        assertThat(parsed.parallelismGiven()).isFalse();
        JsonNode conf = d.at("/spec/flinkConfiguration");
        assertThat(conf.get("pipeline.generic-types").asText()).isEqualTo("false");
        // the operator writes its own configuration: what the image's config.yaml says must be said here too
        assertThat(conf.get("execution.checkpointing.timeout").asText()).isEqualTo("4min");
        assertThat(conf.get("execution.checkpointing.externalized-checkpoint-retention").asText())
                .isEqualTo("RETAIN_ON_CANCELLATION");
        assertThat(conf.has("execution.checkpointing.dir")).isTrue();
        JsonNode imageMemory = YAML.readTree(ROOT.resolve("deploy/flink/config.yaml").toFile())
                .at("/taskmanager/memory");
        assertThat(conf.get("taskmanager.memory.task.off-heap.size").asText()).as("a native-memory budget")
                .isEqualTo(imageMemory.at("/task/off-heap/size").asText()).isNotBlank();
        assertThat(conf.get("taskmanager.memory.managed.fraction").asDouble())
                .isEqualTo(imageMemory.at("/managed/fraction").asDouble()).isPositive();
        // Flink's own sizing of the task manager these give, out of the pod's memory
        org.apache.flink.configuration.Configuration tm = new org.apache.flink.configuration.Configuration();
        tm.setString("taskmanager.memory.process.size", d.at("/spec/taskManager/resource/memory").asText());
        tm.setString("taskmanager.memory.task.off-heap.size", conf.get("taskmanager.memory.task.off-heap.size").asText());
        tm.setString("taskmanager.memory.managed.fraction", conf.get("taskmanager.memory.managed.fraction").asText());
        var spec = org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils.processSpecFromConfig(tm);
        assertThat(spec.getTaskOffHeapSize().getMebiBytes()).isEqualTo(1536);
        assertThat(spec.getTaskHeapSize().getMebiBytes()).as("heap for decoded media and windows").isGreaterThan(2048);
        List<String> keys = new ArrayList<>();
        conf.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).as("Flink 2.x names, not the deprecated ones").doesNotContain("state.checkpoints.dir",
                "state.savepoints.dir", "state.backend.incremental");
        JsonNode container = d.at("/spec/taskManager/podTemplate/spec/containers/0");
        assertThat(container.at("/name").asText()).isEqualTo("flink-main-container");
        assertThat(container.at("/resources/limits").get("nvidia.com/gpu").asInt()).isEqualTo(1);
        assertThat(d.at("/spec/taskManager/podTemplate/spec/tolerations/0/key").asText()).isEqualTo("nvidia.com/gpu");
        // the job manager loads the model at submission: extra models and the S3 plugin are on both kinds of pod
        JsonNode both = d.at("/spec/podTemplate/spec/containers/0");
        assertThat(both.at("/name").asText()).isEqualTo("flink-main-container");
        assertThat(both.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/opt/lipsync/models/custom");
        assertThat(both.at("/env/0/value").asText()).isEqualTo("flink-s3-fs-presto-2.2.0.jar");
        // the metrics reporter of the image's configuration (MetricsReporterITCase scrapes it), on the pods' port
        JsonNode image = YAML.readTree(ROOT.resolve("deploy/flink/config.yaml").toFile()).at("/metrics/reporter/prom");
        assertThat(conf.get("metrics.reporter.prom.factory.class").asText())
                .isEqualTo(image.at("/factory/class").asText());
        assertThat(conf.get("metrics.reporter.prom.port").asInt()).isEqualTo(image.at("/port").asInt()).isEqualTo(
                both.at("/ports/0/containerPort").asInt()).isEqualTo(
                d.at("/spec/podTemplate/metadata/annotations").get("prometheus.io/port").asInt());
        // the PodMonitor scrapes that port by name on the pods Flink labels with the deployment's name
        JsonNode podMonitor = monitoring("PodMonitor");
        assertThat(podMonitor.at("/spec/selector/matchLabels/app").asText()).isEqualTo(d.at("/metadata/name").asText());
        assertThat(podMonitor.at("/spec/podMetricsEndpoints/0/port").asText())
                .isEqualTo(both.at("/ports/0/name").asText());
        String dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile"));
        assertThat(dockerfile).contains("/opt/flink/usrlib/lipsync-guard-job.jar", "/opt/lipsync/models/sync-baseline",
                "ORT_DISABLE_TELEMETRY=1", "libcublas-", "libcudnn9-cuda-12", "chown flink:flink /flink-data");
        // packages install as root, the image runs as Flink's user
        assertThat(dockerfile.indexOf("USER root")).isLessThan(dockerfile.indexOf("apt-get")).isPositive();
        assertThat(dockerfile.strip()).endsWith("USER flink");
    }

    @Test
    void theImageConfigurationAndComposeFileAgree() throws Exception {
        JsonNode conf = YAML.readTree(ROOT.resolve("deploy/flink/config.yaml").toFile());
        assertThat(conf.at("/pipeline/generic-types").asBoolean(true)).isFalse();
        assertThat(conf.at("/execution/checkpointing/mode").asText()).isEqualTo("EXACTLY_ONCE");
        // the file replaces the image's own, whose JVM options are the module flags Flink needs on Java 17
        assertThat(conf.at("/env/java/opts/all").asText()).contains("-Dlipsync.home=/opt/lipsync")
                .contains("--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED");
        JsonNode compose = YAML.readTree(ROOT.resolve("deploy/compose.yaml").toFile());
        String command = compose.at("/services/jobmanager/command").asText();
        assertThat(command).contains("--job-classname " + ClusterJob.class.getName());
        // a restarted job manager resumes from the newest retained checkpoint, which the image's script finds
        assertThat(compose.at("/services/jobmanager/entrypoint/0").asText()).isEqualTo("/opt/lipsync/resume-job.sh");
        assertThat(compose.at("/services/jobmanager/restart").asText()).isEqualTo("on-failure");
        assertThat(Files.readString(ROOT.resolve("deploy/Dockerfile")))
                .contains("COPY deploy/flink/resume-job.sh /opt/lipsync/resume-job.sh");
        assertThat(conf.at("/execution/checkpointing/dir").asText()).isEqualTo("file:///flink-data/checkpoints");
        assertThat(conf.at("/execution/checkpointing/externalized-checkpoint-retention").asText())
                .isEqualTo("RETAIN_ON_CANCELLATION");
        String[] args = command.substring(command.indexOf(ClusterJob.class.getName())
                + ClusterJob.class.getName().length()).trim().split("\\s+");
        ClusterJob parsed = new ClusterJob();
        new CommandLine(parsed).parseArgs(args);
        assertThat(parsed.bootstrapServers).isEqualTo("kafka:9092");
        // brokers and topics take a full 16 MiB chunk with its key and headers, as the job's clients send it
        long wire = io.lipsyncguard.connectors.kafka.KafkaLimits.wireBytes(
                io.lipsyncguard.connectors.kafka.KafkaLimits.DEFAULT_MAX_RECORD_BYTES);
        JsonNode topics = YAML.readTree(ROOT.resolve("k8s/kafka-topics.yaml").toFile());
        assertThat(topics.at("/spec/config/max.message.bytes").asLong()).isEqualTo(wire);
        // the topics exist before the job starts (its source fails on a missing one), sized for full chunks
        assertThat(compose.at("/services/jobmanager/depends_on/topics/condition").asText())
                .isEqualTo("service_completed_successfully");
        String create = compose.at("/services/topics/command/0").asText();
        assertThat(create).contains("lipsync.chunks:", "lipsync.verdicts:", "lipsync.errors:",
                "max.message.bytes=" + wire, "--if-not-exists");
        JsonNode broker = compose.at("/services/kafka/environment");
        assertThat(broker.get("KAFKA_MESSAGE_MAX_BYTES").asLong()).isEqualTo(wire);
        assertThat(broker.get("KAFKA_REPLICA_FETCH_MAX_BYTES").asLong()).isEqualTo(wire);
        for (String service : List.of("jobmanager", "taskmanager")) {
            assertThat(compose.at("/services/" + service + "/environment/JOB_MANAGER_RPC_ADDRESS").asText())
                    .isEqualTo("jobmanager");
        }
        assertThat(conf.at("/execution/checkpointing/dir").asText()).isEqualTo("file:///flink-data/checkpoints");
        assertThat(conf.at("/state/checkpoints").isMissingNode()).isTrue();
        // both processes' metrics reach a Prometheus on the host
        int metrics = conf.at("/metrics/reporter/prom/port").asInt();
        assertThat(compose.at("/services/jobmanager/ports")).extracting(JsonNode::asText)
                .contains(metrics + ":" + metrics);
        assertThat(compose.at("/services/taskmanager/ports")).extracting(JsonNode::asText)
                .anyMatch(p -> p.endsWith(":" + metrics) && !p.startsWith(metrics + ":"));
    }

    @Test
    void runAndTheClusterShareTheStreamingOptionsWithTheirOwnDefaults() {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs();
        ClusterJob cluster = new ClusterJob();
        new CommandLine(cluster).parseArgs("--bootstrap-servers", "b:9092", "--kafka-property", "a=b");
        assertThat(run.streaming.settings("x:1").checkpointInterval()).isEqualTo(java.time.Duration.ofMillis(2000));
        assertThat(run.streaming.rollingEvery).isEqualTo(3);
        assertThat(run.streaming.idleSeconds).isEqualTo(60);
        assertThat(cluster.streaming.settings("b:9092").checkpointInterval())
                .isEqualTo(java.time.Duration.ofMillis(5000));
        assertThat(cluster.streaming.rollingEvery).isEqualTo(5);
        assertThat(cluster.streaming.idleSeconds).isEqualTo(120);
        assertThat(cluster.streaming.settings("b:9092").clientProperties()).containsEntry("a", "b");
        assertThat(run.streaming.settings("x:1").chunksTopic()).isEqualTo("lipsync.chunks");
        assertThat(cluster.streaming.settings("b:9092").transactionTimeout()).isEqualTo(java.time.Duration.ofMinutes(15));
        // brokers whose transaction.max.timeout.ms is below 10 min
        ClusterJob shorter = new ClusterJob();
        new CommandLine(shorter).parseArgs("--bootstrap-servers", "b:9092", "--transaction-timeout-ms", "120000");
        assertThat(shorter.streaming.settings("b:9092").transactionTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
        ClusterJob tooShort = new ClusterJob();
        new CommandLine(tooShort).parseArgs("--bootstrap-servers", "b:9092", "--transaction-timeout-ms", "5000");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tooShort.streaming.settings("b:9092"))
                .hasMessageContaining("must be at least "
                        + io.lipsyncguard.job.StreamingJob.minimumTransactionTimeoutMs(5000)
                        + " with --checkpoint-interval-ms (5000)");
    }

    @Test
    void theClusterImageLibraryRunsTheEntryPointWithoutTheEmbeddedBroker() throws Exception {
        // The image resolves lib/ with -Dcluster, which drops the embedded-broker profile's jars (and Scala and JUnit,
        // which only they need): the entry point must build its job graph without them.
        String pom = Files.readString(ROOT.resolve("job/pom.xml"));
        String profile = pom.substring(pom.indexOf("<id>embedded-broker</id>"), pom.indexOf("</profile>"));
        List<String> dropped = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(profile);
        while (m.find()) {
            dropped.add("/org/apache/kafka/" + m.group(1) + "/");
        }
        assertThat(dropped).contains("/org/apache/kafka/kafka_2.13/", "/org/apache/kafka/kafka-test-common-runtime/");
        dropped.addAll(List.of("/org/scala-lang/", "/org/junit/", "/org/opentest4j/"));
        assertThat(Files.readString(ROOT.resolve("deploy/Dockerfile"))).contains("-pl job -Dcluster dependency:copy");
        String classpath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> dropped.stream().noneMatch(d -> e.replace('\\', '/').contains(d)))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        assertThat(classpath).doesNotContain("kafka_2.13").contains("kafka-clients");
        String[] plan = childJvm(classpath, ClusterJob.class.getName(), "--bootstrap-servers", "localhost:9092",
                "--device", "cpu", "--plan");
        assertThat(plan[0]).as(plan[1]).isEqualTo("0");
        assertThat(plan[1]).contains("kafka-chunks", "verdicts-sink").doesNotContain("NoClassDefFoundError");
        // and `run` there without brokers says what is missing instead of failing on a class
        String[] run = childJvm(classpath, LipsyncCli.class.getName(), "run", "--device", "cpu");
        assertThat(run[0]).as(run[1]).isEqualTo("2");
        assertThat(run[1]).contains("embedded broker is not on this classpath", "--bootstrap-servers")
                .doesNotContain("NoClassDefFoundError");
    }

    /** Runs a main class in a fresh JVM; returns its exit code and its output. */
    static String[] childJvm(String classpath, String mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {String.valueOf(p.waitFor()), out};
    }

    @Test
    void theClusterEntryPointBuildsTheStreamingJobGraph() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            code = new CommandLine(new ClusterJob()).execute("--bootstrap-servers", "localhost:9092", "--device",
                    "cpu", "--plan", "--kafka-property", "security.protocol=PLAINTEXT");
        } finally {
            System.setOut(saved);
        }
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("kafka-chunks", "verdicts-sink", "errors-sink",
                "\"nodes\"");
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment();
        io.lipsyncguard.job.StreamingJob.build(env, io.lipsyncguard.job.JobConfig.defaults(ModelPaths.defaultManifest()),
                io.lipsyncguard.job.KafkaJobSettings.defaults("localhost:9092"));
        assertThat(env.getMaxParallelism()).as("fixed, so savepoints rescale").isEqualTo(128);
        assertThat(new CommandLine(new ClusterJob()).execute("--device", "cpu")).as("brokers are required")
                .isNotZero();
    }

    @Test
    void theJobManagerChecksTheModelOnItsCpuWhateverTheTaskManagersRunOn() {
        // submission runs on the JobManager, which has no GPU: --device cuda is for the TaskManagers
        org.junit.jupiter.api.Assumptions.assumeFalse(io.lipsyncguard.models.OrtSessionFactory.gpuPresent());
        PrintStream saved = System.out;
        int code;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            code = new CommandLine(new ClusterJob()).execute("--bootstrap-servers", "localhost:9092", "--device",
                    "cuda", "--plan");
        } finally {
            System.setOut(saved);
        }
        assertThat(code).isZero();
        // while a local command on this host refuses CUDA, as it should
        assertThat(ModelPaths.loadableConfig(null, "cuda", "run")).isNull();
        ClusterJob given = new ClusterJob();
        new CommandLine(given).parseArgs("--bootstrap-servers", "b:9092", "--parallelism", "3");
        assertThat(given.parallelismGiven()).isTrue();
        assertThat(given.options.parallelism).isEqualTo(3);
    }
}
