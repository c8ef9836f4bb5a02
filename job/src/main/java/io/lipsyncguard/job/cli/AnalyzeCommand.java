package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.AnalyzeJob;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.LipsyncStreams;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.VerdictSerializer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code analyze}: runs the workflow over files on an embedded local Flink and prints one JSON verdict per video. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Analyse video files (or directories of them) on an embedded Flink; one JSON line per video.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input got a verdict (REAL, FAKE or UNCERTAIN)",
            "1:at least one input could not be analysed (an ERROR line says why)",
            "2:bad usage: missing input, invalid model or manifest"})
public final class AnalyzeCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "FILE|DIR", description = "Video files or directories.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--model", paramLabel = "MANIFEST", description = "Model manifest (default: the built-in "
            + "sync-baseline).")
    Path model;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cuda or cpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--demo", description = "Generate the demo talking-head clips (in sync, shifted, swapped, no "
            + "face, no audio) and analyse them too.")
    boolean demo;

    @Option(names = "--demo-dir", paramLabel = "DIR", description = "Where --demo writes its clips (default: a "
            + "temporary directory).")
    Path demoDir;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        List<Path> files = new ArrayList<>(inputs);
        if (demo) {
            Path dir = demoDir != null ? demoDir : Files.createTempDirectory("lipsync-demo");
            Files.createDirectories(dir);
            err.println("writing demo clips to " + dir);
            files.addAll(TalkingHeadGenerator.writeDemoSet(dir));
        }
        if (files.isEmpty()) {
            err.println("analyze: give at least one FILE or DIR, or --demo (see --help)");
            return 2;
        }
        for (Path f : files) {
            if (!Files.exists(f)) {
                err.println("analyze: no such file or directory: " + f);
                return 2;
            }
        }
        JobConfig config = ModelPaths.loadableConfig(model, device, "analyze");
        if (config == null) {
            return 2;
        }
        List<Verdict> verdicts = run(files, config, parallelism);
        int failed = 0;
        for (Verdict v : verdicts) {
            System.out.println(VerdictSerializer.toJson(v));
            if (v.kind() == VerdictKind.ERROR) {
                failed++;
            }
        }
        System.out.flush();
        return failed > 0 ? 1 : 0;
    }

    /** Runs the workflow on an embedded Flink and collects the FINAL/ERROR verdicts. */
    public static List<Verdict> run(List<Path> files, JobConfig config, int parallelism) throws Exception {
        Configuration conf = LipsyncWorkflow.baseConfiguration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        LipsyncStreams streams = AnalyzeJob.build(env, files, config);
        List<Verdict> out = new ArrayList<>();
        try (CloseableIterator<Verdict> it = streams.verdicts().executeAndCollect("lipsync-analyze")) {
            while (it.hasNext()) {
                Verdict v = it.next();
                if (v.kind() != VerdictKind.ROLLING) {
                    out.add(v);
                }
            }
        }
        return out;
    }
}
