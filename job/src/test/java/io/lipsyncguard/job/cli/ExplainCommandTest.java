package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.ModelRef;
import io.lipsyncguard.job.verdict.VerdictAggregator;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.VerdictSerializer;
import io.lipsyncguard.job.verdict.VideoAggregate;
import io.lipsyncguard.job.score.ScoreStatus;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.window.WindowKind;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code explain} reads a verdict file as analyze writes it and answers from it. */
class ExplainCommandTest {

    @TempDir
    Path dir;

    static CliRun explain(String... args) {
        return CliRun.of(args);
    }

    Path verdictFile() throws Exception {
        ModelManifest m = ModelManifest.readValid(ModelPaths.defaultManifest());
        DecisionPolicy p = DecisionPolicy.fromManifest(m);
        VideoAggregate a = new VideoAggregate();
        for (int i = 0; i < 10; i++) {
            float[] curve = new float[31];
            curve[15 + 10] = 1f;
            VerdictAggregator.add(a, new ScoredWindow("clip.mp4", WindowKind.WINDOW, i, i * 400L, i * 400L + 2000,
                    ScoreStatus.SCORED, 0.95, 10, 0.5, curve, 1, 1, 0, true, null, 0), p);
        }
        Path f = dir.resolve("verdict.json");
        Files.writeString(f, VerdictSerializer.toJson(VerdictAggregator.build("clip.mp4", VerdictKind.FINAL, a, p,
                new ModelRef(m.id(), m.version()), 1L)) + "\n");
        return f;
    }

    @Test
    void aFileThatIsNotJsonIsAUsageErrorThatSaysSo() throws Exception {
        Path f = dir.resolve("notes.json");
        Files.writeString(f, "garbage\n");
        CliRun r = explain("explain", f.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("explain: not a verdict message: not JSON").doesNotContain("Exception");
    }

    @Test
    void answersAQuestionFromTheFile() throws Exception {
        CliRun r = explain("explain", verdictFile().toString(), "what", "is", "the", "offset?");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo("Estimated offset +400 ms: the audio is later than the lips (windows "
                + "spread 0 ms).");
    }

    @Test
    void withoutAQuestionItAnswersAllAndUnknownOnesGetTheList() throws Exception {
        Path f = verdictFile();
        assertThat(explain("explain", f.toString()).out().lines()).hasSize(5);
        CliRun unknown = explain("explain", f.toString(), "favourite colour?");
        assertThat(unknown.code()).isZero();
        assertThat(unknown.out()).startsWith("I can answer these questions").contains("why: ", "missing: ");
    }

    @Test
    void aPrettyPrintedVerdictOneWithABomAndOneFromANewerVersionAreRead() throws Exception {
        String line = Files.readString(verdictFile()).strip();
        String expected = explain("explain", verdictFile().toString(), "offset").out();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Path pretty = Files.writeString(dir.resolve("pretty.json"),
                json.writerWithDefaultPrettyPrinter().writeValueAsString(json.readTree(line)));
        Path bom = Files.writeString(dir.resolve("bom.json"), "\uFEFF" + line + "\n");
        Path newer = Files.writeString(dir.resolve("newer.json"),
                line.replace("\"kind\":", "\"lipSyncScore2\":0.3,\"kind\":") + "\n");
        for (Path f : java.util.List.of(pretty, bom, newer)) {
            CliRun r = explain("explain", f.toString(), "offset");
            assertThat(r.code()).as("%s: %s", f.getFileName(), r.err()).isZero();
            assertThat(r.out()).isEqualTo(expected);
        }
        assertThat(explain("explain", newer.toString(), "offset").err())
                .contains("ignoring fields this version does not know: lipSyncScore2");
        // two verdicts, one of them pretty-printed: both answered
        Path two = Files.writeString(dir.resolve("two.json"), line + "\n" + Files.readString(pretty));
        assertThat(explain("explain", two.toString(), "offset").out()).contains("== clip.mp4").hasLineCount(4);
        // a known field of the wrong type is still refused
        Path wrong = Files.writeString(dir.resolve("wrong.json"), line.replace("\"kind\":\"FINAL\"",
                "\"kind\":42") + "\n");
        assertThat(explain("explain", wrong.toString()).code()).isEqualTo(2);
    }

    @Test
    void aVerdictFromAnOlderVersionWithoutTheCountsAddedSinceIsAnswered() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String line = Files.readString(verdictFile()).strip();
        com.fasterxml.jackson.databind.node.ObjectNode v =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
        // the window counts that came with later versions, as a saved verdict of an earlier one lacks them
        ((com.fasterxml.jackson.databind.node.ObjectNode) v.get("windows")).remove(
                java.util.List.of("audioDropout", "frozenPicture"));
        Path older = Files.writeString(dir.resolve("older.json"), json.writeValueAsString(v) + "\n");
        CliRun r = explain("explain", older.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("fields this version has and the verdict lacks (an older version's?): "
                + "windows.audioDropout, windows.frozenPicture");
        assertThat(r.out()).isEqualTo(explain("explain", verdictFile().toString()).out());
        // a verdict without its own identity is still no verdict
        v.remove("videoId");
        Path anonymous = Files.writeString(dir.resolve("anonymous.json"), json.writeValueAsString(v) + "\n");
        assertThat(explain("explain", anonymous.toString()).code()).isEqualTo(2);
    }

    @Test
    void aVerdictWithoutTheFieldsTheSchemaLeavesOptionalIsAnswered() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String line = Files.readString(verdictFile()).strip();
        java.util.List<java.util.List<String>> omissions = java.util.List.of(
                java.util.List.of("offsetMs"), // its reason av-offset stays
                java.util.List.of("misalignment", "stability"),
                java.util.List.of("misalignment", "stability", "score", "offsetMs", "reasons"));
        for (java.util.List<String> omit : omissions) {
            com.fasterxml.jackson.databind.node.ObjectNode v =
                    (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
            v.remove(omit);
            if (omit.contains("reasons")) {
                v.put("verdict", "REAL");
            }
            Path f = Files.writeString(dir.resolve("partial.json"), json.writeValueAsString(v) + "\n");
            CliRun r = explain("explain", f.toString());
            assertThat(r.code()).as("without %s: %s", omit, r.err()).isZero();
            assertThat(r.out().lines()).as("without %s", omit).hasSize(5);
            assertThat(r.out()).as("without %s", omit).doesNotContain("null", "NaN");
        }
    }

    @Test
    void anErrorVerdictIsAnsweredOnce() throws Exception {
        io.lipsyncguard.job.verdict.Verdict error = new io.lipsyncguard.job.verdict.Verdict("bad.mp4",
                VerdictKind.ERROR, null, 0.0, null, null, null, null, null, null, null, null, null,
                new io.lipsyncguard.job.verdict.WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0), new ModelRef("sync-baseline",
                        ModelManifest.readValid(ModelPaths.defaultManifest()).version()),
                new String[] {"undecodable"}, "cannot read it",
                "chunk 0 undecodable: Could not open input \"bad.mp4\".",
                new String[] {"chunk 0 undecodable: Could not open input \"bad.mp4\"."}, 0L, 5L);
        Path f = Files.writeString(dir.resolve("error.json"), VerdictSerializer.toJson(error) + "\n");
        CliRun r = explain("explain", f.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).isEqualTo(
                "No analysis was possible: chunk 0 undecodable: Could not open input \"bad.mp4\".");
    }

    @Test
    void somethingThatIsNotAVerdictIsRefused() throws Exception {
        Path f = dir.resolve("junk.json");
        Files.writeString(f, "{\"videoId\":\"x\"}\n");
        assertThat(explain("explain", f.toString()).code()).isEqualTo(2);
        assertThat(explain("explain", dir.resolve("absent.json").toString()).code()).isEqualTo(2);
    }

    @Test
    void aModelThatCannotBeUsedIsAUsageErrorAndAModelsDirectoryIsItsManifest() throws Exception {
        CliRun bad = explain("explain", verdictFile().toString(), "--model", dir.resolve("absent.json").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("explain: cannot use model " + dir.resolve("absent.json"));
        Path builtIn = ModelPaths.defaultManifest();
        CliRun byDir = explain("explain", verdictFile().toString(), "--model", builtIn.getParent().toString(),
                "offset");
        assertThat(byDir.code()).as(byDir.err()).isZero();
        assertThat(byDir.out()).isEqualTo(explain("explain", verdictFile().toString(), "offset").out());
    }
}
