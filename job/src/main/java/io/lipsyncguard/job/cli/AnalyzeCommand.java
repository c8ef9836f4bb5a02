package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.AnalyzeJob;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.LipsyncStreams;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.report.AtomicFiles;
import io.lipsyncguard.job.report.ReportWriter;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.score.ScoredWindowSerializer;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.VerdictSerializer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code analyze}: runs the workflow over files on an embedded local Flink and prints one JSON verdict per video. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Analyse video files (or directories of them) on an embedded Flink; one JSON line per video.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every input got a verdict (REAL, FAKE or UNCERTAIN)",
            "1:at least one input could not be analysed (an ERROR line says why) or got no verdict (said on stderr)",
            "2:bad usage: missing input, no media file in the given directories, invalid model or manifest, "
                    + "--windows, --report or --demo-dir not writable"})
public final class AnalyzeCommand implements Callable<Integer> {

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(arity = "0..*", paramLabel = "FILE|DIR", description = "Video files or directories.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--demo", description = "Generate the demo talking-head clips (in sync, shifted, swapped, no "
            + "face, no audio) and analyse them too.")
    boolean demo;

    @Option(names = "--demo-dir", paramLabel = "DIR", description = "Where the demo clips are written (implies "
            + "--demo; default: a temporary directory).")
    Path demoDir;

    @Option(names = "--windows", paramLabel = "FILE", description = "Also write every window's score, offset and "
            + "evidence as JSON lines to FILE.")
    Path windowsFile;

    @Option(names = "--report", paramLabel = "DIR", description = "Also write per video an HTML report and a PDF "
            + "(timeline heatmap, score and offset curves, segments, metrics, explanation, face thumbnail), and an "
            + "index.html, to DIR.")
    Path reportDir;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        List<Path> files = new ArrayList<>(inputs);
        boolean withDemo = demo || demoDir != null; // --demo-dir says where the demo clips go: it asks for them
        if (files.isEmpty() && !withDemo) {
            err.println("analyze: give at least one FILE or DIR, or --demo (see --help)");
            return 2;
        }
        for (Path f : files) {
            if (!Files.exists(f)) {
                err.println("analyze: no such file or directory: " + f);
                return 2;
            }
            if (!Files.isRegularFile(f) && !Files.isDirectory(f)) {
                // FFmpeg would wait on a FIFO without a writer for ever
                err.println("analyze: not a regular file or directory (a pipe or device cannot be analysed): " + f);
                return 2;
            }
        }
        // everything that can be refused is refused before the demo clips are generated and the job runs
        String outputProblem = windowsFile != null ? OutputPaths.fileProblem(windowsFile) : null;
        if (outputProblem == null && reportDir != null) {
            outputProblem = OutputPaths.directoryProblem(reportDir);
        }
        if (outputProblem == null && demoDir != null) {
            String problem = OutputPaths.directoryProblem(demoDir);
            outputProblem = problem == null ? null : "--demo-dir: " + problem;
        }
        if (outputProblem != null) {
            err.println("analyze: " + outputProblem);
            return 2;
        }
        JobConfig config = options.loadable("analyze");
        if (config == null) {
            return 2;
        }
        if (withDemo) {
            Path dir = demoDir != null ? demoDir : Files.createTempDirectory("lipsync-demo");
            err.println("writing demo clips to " + dir + (demoDir != null ? ""
                    : " (temporary: ./lipsync removes it when the run ends; --demo-dir DIR keeps them)"));
            files.addAll(TalkingHeadGenerator.writeDemoSet(dir));
        }
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (Path f : io.lipsyncguard.connectors.MediaFileSources.listLocal(files)) {
            sizes.put(f.toAbsolutePath().normalize().toString(), Files.size(f));
        }
        if (sizes.isEmpty()) {
            err.println("analyze: no media files in " + files + " (directories are searched for "
                    + String.join(", ", new java.util.TreeSet<>(io.lipsyncguard.connectors.MediaFileSources
                            .MEDIA_EXTENSIONS)) + "; names starting with . or _ are skipped, as Flink's file "
                    + "source skips them)");
            return 2;
        }
        for (Path d : directoriesWithoutMedia(files)) {
            // not an error while other inputs have media, but a mistyped or still-empty folder should not pass
            // unnoticed in a run that otherwise exits 0
            err.println("analyze: note: no media files in " + d + "; nothing of it is analysed");
        }
        Analysis analysis;
        int[] failed = {0};
        try (ProgressBar bar = ProgressBar.startIfTerminal(err, sizes.size(),
                sizes.values().stream().mapToLong(Long::longValue).sum())) {
            // each line as its video finishes: a long directory shows results as it goes, and an interrupted run
            // keeps the ones it printed
            analysis = analyse(files, config, options.parallelism, windowsFile != null || reportDir != null, v -> {
                String json = VerdictSerializer.toJson(v);
                if (bar != null) {
                    bar.above(System.out, json);
                    bar.fileDone(sizes.getOrDefault(v.videoId(), 0L), v.mediaMs() * 25 / 1000);
                } else {
                    System.out.println(json);
                    System.out.flush();
                }
                if (v.kind() == VerdictKind.ERROR) {
                    failed[0]++;
                }
            });
        }
        List<Verdict> verdicts = analysis.verdicts();
        int unanswered = unanswered(sizes.keySet(), verdicts, err);
        if (windowsFile != null) {
            List<String> lines = new ArrayList<>();
            analysis.windows().keySet().stream().sorted().forEach(id -> analysis.windows().get(id)
                    .forEach(w -> lines.add(ScoredWindowSerializer.toJson(w))));
            AtomicFiles.writeLines(windowsFile, lines);
        }
        if (reportDir != null) {
            // a report that cannot be written is no failed analysis: said on stderr, the exit code stays the verdicts'
            ReportWriter.write(reportDir, verdicts, analysis.windows(),
                    DecisionPolicy.fromManifest(ModelManifest.readValid(config.manifestPath())),
                    problem -> err.println("analyze: " + problem));
            err.println("reports in " + reportDir.resolve("index.html"));
        }
        return failed[0] + unanswered > 0 ? 1 : 0;
    }

    /**
     * How many of the counted input files got no FINAL or ERROR line, each named on {@code err}: the file source and
     * the count above must agree on what is read, and a file they disagree on must not pass as analysed with exit 0.
     */
    static int unanswered(java.util.Set<String> counted, List<Verdict> verdicts, PrintStream err) {
        return unanswered("analyze", counted, verdicts, err);
    }

    /** As {@link #unanswered(java.util.Set, List, PrintStream)}, the lines said by {@code command}. */
    static int unanswered(String command, java.util.Set<String> counted, List<Verdict> verdicts, PrintStream err) {
        java.util.Set<String> answered = new java.util.HashSet<>();
        verdicts.forEach(v -> answered.add(v.videoId()));
        int missing = 0;
        for (String id : new java.util.TreeSet<>(counted)) {
            if (!answered.contains(id)) {
                err.println(command + ": " + id + " was not read: no verdict for it");
                missing++;
            }
        }
        return missing;
    }

    /** Runs the workflow on an embedded Flink and collects the FINAL/ERROR verdicts. */
    /** The directories among {@code inputs} in which the file source would find no media file. */
    static List<Path> directoriesWithoutMedia(List<Path> inputs) throws java.io.IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p) && io.lipsyncguard.connectors.MediaFileSources.listLocal(List.of(p)).isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    public static List<Verdict> run(List<Path> files, JobConfig config, int parallelism) throws Exception {
        return analyse(files, config, parallelism, false, v -> { }).verdicts();
    }

    /**
     * What one {@code analyze} run produced: the FINAL/ERROR verdicts in arrival order and, when asked for, every
     * video's scored windows in index order.
     */
    public record Analysis(List<Verdict> verdicts, Map<String, List<ScoredWindow>> windows) {}

    /**
     * Runs the workflow on an embedded Flink; {@code onVerdict} sees each FINAL/ERROR verdict as it arrives (for
     * progress), and with {@code withWindows} the per-window scores are collected too (for reports).
     */
    public static Analysis analyse(List<Path> files, JobConfig config, int parallelism, boolean withWindows,
            Consumer<Verdict> onVerdict) throws Exception {
        Configuration conf = LipsyncWorkflow.baseConfiguration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        LipsyncStreams streams = AnalyzeJob.build(env, files, config);
        List<Verdict> out = new ArrayList<>();
        Map<String, List<ScoredWindow>> windows = new ConcurrentHashMap<>();
        // Both collect sinks must be drained while the job runs, or the undrained one would stall it.
        CloseableIterator<ScoredWindow> windowIt = withWindows ? streams.scoredWindows()
                .filter(w -> w.kind() == WindowKind.WINDOW).name("report-windows").uid("report-windows")
                .collectAsync() : null;
        CloseableIterator<Verdict> verdictIt = streams.verdicts().collectAsync();
        JobClient job = env.executeAsync("lipsync-analyze");
        Thread drainer = null;
        AtomicReference<Exception> drainFailure = new AtomicReference<>();
        if (windowIt != null) {
            drainer = new Thread(() -> {
                try (windowIt) {
                    while (windowIt.hasNext()) {
                        ScoredWindow w = windowIt.next();
                        windows.computeIfAbsent(w.videoId(), k -> new ArrayList<>()).add(w);
                    }
                } catch (Exception e) {
                    drainFailure.set(e);
                }
            }, "analyze-windows");
            drainer.start();
        }
        try (verdictIt) {
            while (verdictIt.hasNext()) {
                Verdict v = verdictIt.next();
                if (v.kind() != VerdictKind.ROLLING) {
                    out.add(v);
                    onVerdict.accept(v);
                }
            }
        }
        if (drainer != null) {
            drainer.join();
            if (drainFailure.get() != null) {
                throw drainFailure.get();
            }
        }
        job.getJobExecutionResult().get();
        for (List<ScoredWindow> list : windows.values()) {
            list.sort(Comparator.comparingLong(ScoredWindow::index));
        }
        return new Analysis(out, windows);
    }
}
