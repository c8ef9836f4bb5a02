package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.JobConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's {@code --help} renders as written: exit 0, a usage line and no picocli formatting warning. */
class LipsyncCliHelpTest {

    @Test
    void anUnexpectedFailureIsOneLineAndExitCodeOne() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("lipsync-sample", ".txt");
        try {
            // a regular file where the directory should be: the command has no message of its own for that
            CliRun run = CliRun.of("sample", file.resolve("clips").toString());
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.err()).startsWith("sample: FileSystemException: " + file.resolve("clips"))
                    .contains("LIPSYNC_DEBUG=1").doesNotContain("\tat ");
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void usageMistakesExitTwoWithTheReasonAndWriteNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        CliRun bare = CliRun.of();
        assertThat(bare.code()).as("no command").isEqualTo(2);
        assertThat(bare.err()).contains("Usage: lipsync");
        java.nio.file.Path out = dir.resolve("clips");
        for (String[] args : List.of(new String[] {"--labelled", "0"}, new String[] {"--labelled", "2", "--seconds",
                "0"}, new String[] {"--labelled", "2", "--seconds", "NaN"}, new String[] {"--seconds", "3"},
                new String[] {"--seed", "7"})) {
            List<String> all = new ArrayList<>(List.of("sample", out.toString()));
            all.addAll(List.of(args));
            CliRun run = CliRun.of(all.toArray(new String[0]));
            assertThat(run.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).startsWith("sample: --").doesNotContain("Exception");
        }
        assertThat(out).doesNotExist();
        // a labelled set into a folder that holds one already would mix the two (some of the same seeds)
        CliRun first = CliRun.of("sample", out.toString(), "--labelled", "1", "--seconds", "1");
        assertThat(first.code()).as(first.err()).isZero();
        CliRun again = CliRun.of("sample", out.toString(), "--labelled", "1", "--seconds", "1", "--seed", "7");
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).startsWith("sample: " + out.resolve("0_real") + " already holds 1 video(s)");
        assertThat(again.out()).isEmpty();
        CliRun zeroChunks = CliRun.of("run", "--chunk-seconds", "0", "--demo");
        assertThat(zeroChunks.code()).isEqualTo(2);
        assertThat(zeroChunks.err()).contains("--chunk-seconds must be at least 0.04 (a frame)").doesNotContain("embedded Kafka at");
        CliRun none = CliRun.of("run", "--delivery", "NONE");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("--delivery must be EXACTLY_ONCE or AT_LEAST_ONCE");
        // publish names the topic as run does (and keeps its short name)
        assertThat(new CommandLine(new PublishCommand()).parseArgs("--chunks-topic", "c", "--bootstrap-servers", "b:1", "f.mp4")
                .matchedOptionValue("--topic", "")).isEqualTo("c");
        // a directory to run or publish is named as one (analyze takes it), not as a file that does not exist
        for (String command : new String[] {"run", "publish"}) {
            CliRun folder = command.equals("run") ? CliRun.of("run", dir.toString())
                    : CliRun.of("publish", "--bootstrap-servers", "b:1", dir.toString());
            assertThat(folder.code()).as(folder.err()).isEqualTo(2);
            assertThat(folder.err()).contains(command + ": " + dir + " is a directory: give the video files in it")
                    .doesNotContain("no such file");
        }
        // one file named twice has one video id: its chunks would be sent interleaved under it
        java.nio.file.Path once = java.nio.file.Files.writeString(dir.resolve("once.mp4"), "x");
        String sameFile = dir.resolve(".").resolve("once.mp4").toString();
        for (CliRun twice : List.of(CliRun.of("run", once.toString(), sameFile),
                CliRun.of("publish", "--bootstrap-servers", "b:1", once.toString(), sameFile))) {
            assertThat(twice.code()).as(twice.err()).isEqualTo(2);
            assertThat(twice.err()).contains(once + " and " + sameFile + " are the same file (one video id)")
                    .doesNotContain("embedded Kafka at").doesNotContain("cannot reach");
        }
        CliRun bench = CliRun.of("bench", dir.resolve("absent.mp4").toString());
        assertThat(bench.code()).isEqualTo(2);
        assertThat(bench.err()).contains("bench: no such file");
        CliRun run = CliRun.of("run", "--transaction-timeout-ms", "1000", "--checkpoint-interval-ms", "2000");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("must be at least 5999 with --checkpoint-interval-ms (2000)")
                .doesNotContain("embedded Kafka at");
        // a state TTL within the idle timeout would expire live videos before they are closed, with no FINAL
        CliRun ttl = CliRun.of("run", "--state-ttl-hours", "1", "--idle-timeout-seconds", "7200");
        assertThat(ttl.code()).isEqualTo(2);
        assertThat(ttl.err()).contains("--state-ttl-hours (1) must be 0 (for ever) or longer than "
                + "--idle-timeout-seconds (7200)").doesNotContain("embedded Kafka at");
        // nor may it expire while a FINAL waits, after its video's end, for windows still on their way
        CliRun wait = CliRun.of("run", "--state-ttl-hours", "1", "--score-timeout-ms", "3000000");
        assertThat(wait.code()).isEqualTo(2);
        assertThat(wait.err()).contains("--state-ttl-hours (1) must be 0 (for ever) or longer than "
                + "--score-timeout-ms (3000000) plus ten minutes").doesNotContain("embedded Kafka at");
        // the cluster entry point says the same, and exits 2, not with a stack trace
        CliRun cluster = CliRun.run(() -> new CommandLine(new ClusterJob()), "--bootstrap-servers", "b:1", "--device", "cpu",
                "--state-ttl-hours", "1", "--idle-timeout-seconds", "7200");
        assertThat(cluster.code()).isEqualTo(2);
        assertThat(cluster.err()).contains("cluster: --state-ttl-hours (1) must be 0").doesNotContain("Exception");
        // run and the cluster job have consumer groups (and transactional-id prefixes) of their own
        RunCommand runDefaults = new RunCommand();
        new CommandLine(runDefaults).parseArgs();
        ClusterJob clusterDefaults = new ClusterJob();
        new CommandLine(clusterDefaults).parseArgs("--bootstrap-servers", "b:1");
        assertThat(runDefaults.streaming.settings("b:1").groupId()).isEqualTo("lipsync-guard-run")
                .isNotEqualTo(clusterDefaults.streaming.settings("b:1").groupId());
        StreamingOptions options = new StreamingOptions(1000, 5, 120, "g");
        new CommandLine(options).parseArgs("--max-batch", "64", "--max-batch-wait-ms", "5", "--score-timeout-ms",
                "30000", "--async-capacity", "256");
        JobConfig tuned = options.apply(JobConfig.defaults(ModelPaths.defaultManifest()));
        assertThat(tuned.maxBatch()).isEqualTo(64);
        assertThat(tuned.maxBatchWait()).isEqualTo(java.time.Duration.ofMillis(5));
        assertThat(tuned.scoreTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(tuned.asyncCapacity()).isEqualTo(256);
        CliRun zeroBatch = CliRun.of("run", "--max-batch", "0");
        assertThat(zeroBatch.code()).isEqualTo(2);
        assertThat(zeroBatch.err()).contains("--max-batch must be 1..4096 (is 0)").doesNotContain("embedded Kafka at");
        options = new StreamingOptions(1000, 5, 120, "g");
        new CommandLine(options).parseArgs("--state-ttl-hours", "48");
        assertThat(options.apply(JobConfig.defaults(ModelPaths.defaultManifest())).stateTtl())
                .isEqualTo(java.time.Duration.ofHours(48));
        new CommandLine(options).parseArgs();
        assertThat(options.apply(JobConfig.defaults(ModelPaths.defaultManifest())).stateTtl())
                .isEqualTo(java.time.Duration.ofDays(7));
    }

    @Test
    void everyOptionAndParameterIsDescribed() {
        List<String> undescribed = new ArrayList<>();
        CommandLine root = new CommandLine(new LipsyncCli());
        List<CommandLine> commands = new ArrayList<>(root.getSubcommands().values());
        commands.add(root);
        for (CommandLine command : commands) {
            CommandLine.Model.CommandSpec spec = command.getCommandSpec();
            List<CommandLine.Model.ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (CommandLine.Model.ArgSpec arg : args) {
                if (String.join("", arg.description()).isBlank()) {
                    undescribed.add(spec.qualifiedName() + " " + (arg.isOption()
                            ? ((CommandLine.Model.OptionSpec) arg).longestName() : arg.paramLabel()));
                }
            }
        }
        assertThat(undescribed).isEmpty();
    }

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        List<String[]> invocations = new ArrayList<>();
        invocations.add(new String[] {"--help"});
        for (String name : new CommandLine(new LipsyncCli()).getSubcommands().keySet()) {
            if (!name.equals("help")) {
                invocations.add(new String[] {name, "--help"});
            }
        }
        assertThat(invocations).hasSizeGreaterThan(5);
        for (String[] args : invocations) {
            CliRun run = CliRun.of(args);
            String label = String.join(" ", args);
            assertThat(run.code()).as(label).isZero();
            assertThat(run.out()).as(label).contains("Usage: lipsync");
            // A bare '%' in a description makes picocli print a WARN and the raw, unwrapped string
            assertThat(run.out() + run.err()).as(label).doesNotContain("WARN").doesNotContain("%n");
        }
    }
}
