package io.lipsyncguard.job.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.connectors.WireSchemas;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.VerdictQuestions;
import io.lipsyncguard.models.ModelContractException;
import io.lipsyncguard.models.ModelManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code explain}: answers fixed questions about a verdict from its metrics only. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Answer questions about a verdict (why, segments, sure, offset, missing) from its metrics.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:answered (or listed the questions it can answer)",
            "2:the file is missing or holds no valid verdict, or the model's manifest cannot be used"})
public final class ExplainCommand implements Callable<Integer> {

    /** The schema check's message for a property it does not define. */
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("property '([^']+)' is not defined in the schema");
    /**
     * A count inside one of the verdict's objects that a later version added: a verdict saved by an earlier one lacks
     * it, and is read with it at zero. The verdict's own fields (its id, kind, verdict) stay required.
     */
    private static final Pattern LATER_FIELD = Pattern.compile("^/([^:]+): required property '([^']+)' not found$");

    @Parameters(index = "0", paramLabel = "VERDICT.json", description = "A verdict as JSON, or JSON lines from "
            + "analyze (each is answered); - reads standard input.")
    String verdictFile;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "QUESTION", description = "A question in words; none: "
            + "answer them all.")
    List<String> question = new ArrayList<>();

    @Option(names = "--model", paramLabel = "MANIFEST", description = "Manifest of the model that scored (or its "
            + "directory), for its thresholds (default: the built-in sync-baseline).")
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
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark, as some editors write
        }
        // a sequence of JSON values: analyze's lines, or one verdict pretty-printed over many lines
        List<String> messages = new ArrayList<>();
        try (MappingIterator<JsonNode> it = json.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                messages.add(it.nextValue().toString());
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("explain: not a verdict message: not JSON: "
                    + (e.getCause() != null ? e.getCause() : e).getMessage().lines().findFirst().orElse(""));
            return 2;
        }
        Set<String> unknown = new TreeSet<>();
        Set<String> lacking = new TreeSet<>();
        for (String message : messages) {
            List<String> problems = new ArrayList<>();
            for (String problem : WireSchemas.verdictProblems(message)) {
                // a field from a newer version of the job: read around it, as consumers of the topic must
                Matcher m = UNKNOWN_FIELD.matcher(problem);
                Matcher older = LATER_FIELD.matcher(problem);
                if (m.find()) {
                    unknown.add(m.group(1));
                } else if (older.find()) {
                    lacking.add(older.group(1).replace('/', '.') + "." + older.group(2));
                } else {
                    problems.add(problem);
                }
            }
            if (!problems.isEmpty()) {
                System.err.println("explain: not a verdict message: " + String.join("; ", problems));
                return 2;
            }
            verdicts.add(json.readValue(message, Verdict.class));
        }
        if (!lacking.isEmpty()) {
            System.err.println("explain: fields this version has and the verdict lacks (an older version's?): "
                    + String.join(", ", lacking) + "; read as 0");
        }
        if (!unknown.isEmpty()) {
            System.err.println("explain: ignoring fields this version does not know: " + String.join(", ", unknown));
        }
        if (verdicts.isEmpty()) {
            System.err.println("explain: " + verdictFile + " holds no verdict");
            return 2;
        }
        Path manifestPath = ModelPaths.manifestOf(model);
        ModelManifest manifest;
        try {
            manifest = ModelManifest.readValid(manifestPath);
        } catch (ModelContractException e) {
            System.err.println("explain: cannot use model " + manifestPath + ": " + e.getMessage());
            return 2;
        }
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
            // an ERROR verdict has one answer to every question
            for (String id : v.kind() == VerdictKind.ERROR ? ids.subList(0, 1) : ids) {
                out.println(VerdictQuestions.answer(v, id, policy));
            }
        }
        return 0;
    }
}
