package io.lipsyncguard.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lipsyncguard.connectors.MediaFileSources;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.eval.EvaluationMetrics;
import io.lipsyncguard.job.eval.EvaluationMetrics.Sample;
import io.lipsyncguard.job.report.AtomicFiles;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code evaluate}: runs the {@code analyze} workflow over a labelled directory in the AVLips layout ({@code 0_real/},
 * {@code 1_fake/}, videos at any depth below) and reports detection metrics at the model's threshold.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Measure a model on a labelled set (DIR/0_real, DIR/1_fake): accuracy, AP, ROC AUC, FPR, FNR, "
                + "FPR at 95%% TPR, confusion matrix, UNCERTAIN rate, per-video scores.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:evaluated", "1:a video could not be analysed (named on stderr; the metrics of the others "
                + "are still written), the analysis failed, or --out could not be written at the end",
            "2:bad usage: no 0_real/1_fake videos, invalid model, --out not writable"})
public final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions options = new ModelOptions();

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory with 0_real/ and 1_fake/ below it.")
    Path dir;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "evaluation.json",
            description = "Where to write the metrics and per-video scores as JSON (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Map<String, Boolean> truth = labels(dir);
        if (truth.isEmpty()) {
            System.err.println("evaluate: no videos under " + dir.resolve("0_real") + " or " + dir.resolve("1_fake"));
            return 2;
        }
        String outputProblem = OutputPaths.fileProblem(out);
        if (outputProblem != null) {
            System.err.println("evaluate: --out: " + outputProblem);
            return 2;
        }
        JobConfig config = options.loadable("evaluate");
        if (config == null) {
            return 2;
        }
        ModelManifest manifest = ModelManifest.readValid(config.manifestPath());
        List<Path> files = truth.keySet().stream().map(Path::of).toList();
        List<Verdict> verdicts = AnalyzeCommand.analyse(files, config, options.parallelism, false, v -> { }).verdicts();
        List<Sample> samples = samples(verdicts, truth);
        // a video the job could not analyse has no score: left out of the metrics, it must not pass unseen
        int failed = 0;
        for (Verdict v : verdicts) {
            if (v.kind() == VerdictKind.ERROR && truth.containsKey(v.videoId())) {
                System.err.println("evaluate: " + v.videoId() + " could not be analysed: " + v.error());
                failed++;
            }
        }
        failed += AnalyzeCommand.unanswered("evaluate", truth.keySet(), verdicts, System.err);
        double threshold = manifest.thresholds().decision();
        EvaluationMetrics m = EvaluationMetrics.compute(samples, threshold);
        System.out.printf(Locale.ROOT, "model %s %s, threshold %.2f, %d videos (%d real, %d fake), %d with a score%n",
                manifest.id(), manifest.version(), threshold, m.videos(),
                samples.stream().filter(s -> !s.fake()).count(), samples.stream().filter(Sample::fake).count(),
                m.scored());
        System.out.printf(Locale.ROOT, "accuracy %.3f  AP %.3f  ROC AUC %.3f  FPR %.3f  FNR %.3f  FPR@95%%TPR %.3f%n",
                m.accuracy(), m.averagePrecision(), m.rocAuc(), m.fpr(), m.fnr(), m.fprAt95Tpr());
        System.out.printf(Locale.ROOT, "confusion (rows truth real/fake, columns said real/fake): [[%d, %d], [%d, %d]]%n",
                m.confusion()[0][0], m.confusion()[0][1], m.confusion()[1][0], m.confusion()[1][1]);
        System.out.printf(Locale.ROOT, "UNCERTAIN rate %.3f  accuracy of decisive verdicts %.3f%n", m.uncertainRate(),
                m.verdictAccuracy());
        if (failed > 0) {
            System.out.printf(Locale.ROOT, "%d of the %d videos could not be analysed (see stderr): not in the "
                    + "metrics above%n", failed, truth.size());
        }
        AtomicFiles.writeString(out, toJson(manifest, threshold, m, samples));
        System.out.println("written to " + out);
        return failed > 0 ? 1 : 0;
    }

    /** Video id (absolute path) → fake?, for every media file under DIR/0_real and DIR/1_fake. */
    static Map<String, Boolean> labels(Path dir) throws Exception {
        Map<String, Boolean> truth = new HashMap<>();
        for (String sub : new String[] {"0_real", "1_fake"}) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                for (Path f : MediaFileSources.listLocal(List.of(d))) {
                    truth.put(f.toAbsolutePath().normalize().toString(), sub.equals("1_fake"));
                }
            }
        }
        return truth;
    }

    /** One sample per labelled video; the decision score is the one the verdict used (video read-out or mean). */
    static List<Sample> samples(List<Verdict> verdicts, Map<String, Boolean> truth) {
        List<Sample> out = new ArrayList<>();
        for (Verdict v : verdicts) {
            Boolean fake = truth.get(v.videoId());
            if (fake == null) {
                continue;
            }
            double score = v.score() == null ? Double.NaN
                    : v.score().video() != null ? v.score().video() : v.score().mean();
            out.add(new Sample(v.videoId(), fake, score,
                    v.kind() == VerdictKind.ERROR ? "ERROR" : String.valueOf(v.verdict())));
        }
        return out;
    }

    static String toJson(ModelManifest manifest, double threshold, EvaluationMetrics m, List<Sample> samples)
            throws Exception {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.putObject("model").put("id", manifest.id()).put("version", manifest.version());
        root.put("threshold", threshold);
        ObjectNode metrics = root.putObject("metrics");
        metrics.put("videos", m.videos());
        metrics.put("scored", m.scored());
        number(metrics, "accuracy", m.accuracy());
        number(metrics, "averagePrecision", m.averagePrecision());
        number(metrics, "rocAuc", m.rocAuc());
        number(metrics, "fpr", m.fpr());
        number(metrics, "fnr", m.fnr());
        number(metrics, "fprAt95Tpr", m.fprAt95Tpr());
        number(metrics, "uncertainRate", m.uncertainRate());
        number(metrics, "verdictAccuracy", m.verdictAccuracy());
        ArrayNode confusion = metrics.putArray("confusion");
        confusion.addArray().add(m.confusion()[0][0]).add(m.confusion()[0][1]);
        confusion.addArray().add(m.confusion()[1][0]).add(m.confusion()[1][1]);
        ArrayNode videos = root.putArray("videos");
        for (Sample s : samples) {
            ObjectNode v = videos.addObject().put("videoId", s.videoId()).put("label", s.fake() ? "fake" : "real")
                    .put("verdict", s.verdict());
            number(v, "score", s.score());
        }
        return json.writeValueAsString(root);
    }

    private static void number(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            node.putNull(field); // JSON has no NaN: undefined metrics (one class only) are null
        } else {
            node.put(field, value);
        }
    }
}
