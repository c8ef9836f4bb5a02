package io.lipsyncguard.job.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.WireSchemas;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictQuestions;
import io.lipsyncguard.models.ModelManifest;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code explain}: answers fixed questions about a verdict from its metrics only. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Answer questions about a verdict (why, segments, sure, offset, missing) from its metrics.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:answered (or listed the questions it can answer)",
            "2:the file is missing or holds no valid verdict"})
public final class ExplainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "VERDICT.json", description = "A verdict as JSON, or JSON lines from "
            + "analyze (each is answered); - reads standard input.")
    String verdictFile;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "QUESTION", description = "A question in words; none: "
            + "answer them all.")
    List<String> question = new ArrayList<>();

    @Option(names = "--model", paramLabel = "MANIFEST", description = "Manifest of the model that scored, for its "
            + "thresholds (default: the built-in sync-baseline).")
    Path model;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        List<Verdict> verdicts = new ArrayList<>();
        ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        String text;
        if ("-".equals(verdictFile)) {
            text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } else if (Files.isRegularFile(Path.of(verdictFile))) {
            text = Files.readString(Path.of(verdictFile));
        } else {
            System.err.println("explain: no such file: " + verdictFile);
            return 2;
        }
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            List<String> problems = WireSchemas.verdictProblems(line);
            if (!problems.isEmpty()) {
                System.err.println("explain: not a verdict message: " + String.join("; ", problems));
                return 2;
            }
            verdicts.add(json.readValue(line, Verdict.class));
        }
        if (verdicts.isEmpty()) {
            System.err.println("explain: " + verdictFile + " holds no verdict");
            return 2;
        }
        ModelManifest manifest = ModelManifest.readValid(model != null ? model : ModelPaths.defaultManifest());
        DecisionPolicy policy = DecisionPolicy.fromManifest(manifest);
        String asked = String.join(" ", question);
        List<String> ids = asked.isBlank() ? List.of("why", "segments", "sure", "offset", "missing")
                : VerdictQuestions.match(asked);
        if (ids.isEmpty()) {
            out.print(VerdictQuestions.supported());
            return 0;
        }
        for (Verdict v : verdicts) {
            if (verdicts.size() > 1) {
                out.println("== " + v.videoId());
            }
            if (v.model() != null && !(manifest.id().equals(v.model().id())
                    && manifest.version().equals(v.model().version()))) {
                out.println("(thresholds of " + manifest.id() + " " + manifest.version() + "; the verdict came from "
                        + v.model().id() + " " + v.model().version() + ")");
            }
            for (String id : ids) {
                out.println(VerdictQuestions.answer(v, id, policy));
            }
        }
        return 0;
    }
}
