package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.verdict.ModelRef;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.WindowCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze}'s usage errors (each says what is wrong and exits 2 before any job starts) and its input list. */
class AnalyzeCommandTest {

    @TempDir
    Path dir;

    static CliRun analyze(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "analyze";
        all[1] = "--device";
        all[2] = "cpu";
        System.arraycopy(args, 0, all, 3, args.length);
        return CliRun.of(all);
    }

    @Test
    void namedInputsAreReadHoweverTheyAreSpelled() throws Exception {
        // a folder the walk would skip by its name and a file reached through "..": both named, so both are read
        Path inbox = Files.createDirectories(dir.resolve("_inbox"));
        byte[] junk = new byte[4096];
        new java.util.Random(3).nextBytes(junk);
        Files.write(inbox.resolve("upload.mp4"), junk);
        Files.write(dir.resolve("take1.bin"), junk);
        Path sub = Files.createDirectories(dir.resolve("sub"));
        CliRun r = analyze(inbox.toString(), sub.resolve("../take1.bin").toString());
        assertThat(r.out().lines().filter(l -> l.contains("\"kind\":\"ERROR\"")))
                .hasSize(2)
                .anyMatch(l -> l.contains("\"videoId\":\"" + inbox.resolve("upload.mp4") + "\""))
                .anyMatch(l -> l.contains("\"videoId\":\"" + dir.resolve("take1.bin") + "\""));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("was not read");
    }

    @Test
    void aCountedInputWithoutAVerdictIsNamedAndCounted() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        Verdict answered = new Verdict("/v/a.mp4", VerdictKind.ERROR, null, 0.0, null, null, null, null, null, null,
                null, null, null, new WindowCounts(0, 0, 0, 0, 0, 0, 0, 0, 0), new ModelRef("sync-baseline", "1.0.0"),
                new String[] {"undecodable"}, "The video could not be analysed.", "undecodable",
                new String[] {"undecodable"}, 0L, 0L);
        assertThat(AnalyzeCommand.unanswered(java.util.Set.of("/v/a.mp4", "/v/b.mp4"), java.util.List.of(answered),
                err)).isEqualTo(1);
        assertThat(bytes.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("/v/b.mp4 was not read").doesNotContain("/v/a.mp4");
    }

    @Test
    void aDirectoryWithoutMediaIsAUsageError() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not a video");
        CliRun r = analyze(dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no media files in", "mp4", "names starting with . or _ are skipped");
    }

    @Test
    void aDirectoryWithoutMediaBesideOtherInputsIsNamed() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path videos = Files.createDirectories(dir.resolve("videos"));
        Files.writeString(videos.resolve("clip.mp4"), "x");
        Path clip = dir.resolve("named.txt");
        Files.writeString(clip, "x");
        assertThat(AnalyzeCommand.directoriesWithoutMedia(java.util.List.of(clip, videos, empty)))
                .containsExactly(empty);
    }

    @Test
    void theWindowsFileHasEveryWindowOfTheVideoOnceAsTheSchemaDescribesIt() throws Exception {
        Path clip = dir.resolve("in_sync.mp4");
        io.lipsyncguard.job.sample.TalkingHeadGenerator.write(clip,
                io.lipsyncguard.job.sample.SampleSpec.inSync(61, 4));
        Path windows = dir.resolve("w.jsonl");
        CliRun r = analyze(clip.toString(), "--windows", windows.toString());
        assertThat(r.code()).as(r.err()).isZero();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode verdict = json.readTree(r.out().lines().findFirst().orElseThrow());
        java.util.List<String> lines = Files.readAllLines(windows);
        assertThat(lines).hasSize(verdict.at("/windows/total").asInt()).isNotEmpty()
                .allSatisfy(l -> assertThat(io.lipsyncguard.connectors.WireSchemas.windowScoreProblems(l)).as(l)
                        .isEmpty());
        assertThat(lines.stream().map(l -> {
            try {
                return json.readTree(l).get("index").asLong();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })).doesNotHaveDuplicates().startsWith(0L);
        assertThat(lines).filteredOn(l -> l.contains("\"status\":\"SCORED\""))
                .hasSize(verdict.at("/windows/scored").asInt());
    }

    @Test
    void outputsThatCannotBeWrittenAreRefusedBeforeTheAnalysis() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        Files.write(clip, new byte[] {1, 2, 3}); // never decoded: the refusal comes first
        Path aFile = Files.writeString(dir.resolve("report-is-a-file"), "x");
        CliRun report = analyze(clip.toString(), "--report", aFile.toString());
        assertThat(report.code()).isEqualTo(2);
        assertThat(report.err()).contains("exists and is not a directory");
        assertThat(report.out()).isEmpty();
        CliRun windows = analyze(clip.toString(), "--windows", dir.resolve("no-such-dir/w.jsonl").toString());
        assertThat(windows.code()).isEqualTo(2);
        assertThat(windows.err()).contains("no directory", "no-such-dir");
        CliRun windowsDir = analyze(clip.toString(), "--windows", dir.toString());
        assertThat(windowsDir.code()).isEqualTo(2);
        assertThat(windowsDir.err()).contains("is a directory");
        CliRun evaluate = CliRun.of("evaluate", "--device", "cpu", dir.toString(), "--out",
                dir.resolve("absent/e.json").toString());
        Files.createDirectories(dir.resolve("0_real"));
        Files.copy(clip, dir.resolve("0_real/clip.mp4"));
        CliRun evaluateLabelled = CliRun.of("evaluate", "--device", "cpu", dir.toString(), "--out",
                dir.resolve("absent/e.json").toString());
        assertThat(evaluateLabelled.code()).isEqualTo(2);
        assertThat(evaluateLabelled.err()).contains("--out: no directory");
        assertThat(evaluate.code()).isEqualTo(2); // (no videos yet: the labels are checked first)
    }

    @Test
    void demoDirAsksForTheDemoAndBadOutputsAreRefusedBeforeAnyClipIsGenerated() throws Exception {
        Path aFile = Files.writeString(dir.resolve("demo-is-a-file"), "x");
        // no FILE and no --demo: --demo-dir alone asks for the demo, so its directory is checked, not "no input"
        CliRun demoDirOnly = analyze("--demo-dir", aFile.toString());
        assertThat(demoDirOnly.code()).isEqualTo(2);
        assertThat(demoDirOnly.err()).contains("--demo-dir: ", "exists and is not a directory")
                .doesNotContain("give at least one FILE");
        Path demo = dir.resolve("demo");
        CliRun badReport = analyze("--demo-dir", demo.toString(), "--report", aFile.toString());
        assertThat(badReport.code()).isEqualTo(2);
        assertThat(badReport.err()).contains("exists and is not a directory").doesNotContain("writing demo clips");
        if (Files.exists(demo)) {
            try (var clips = Files.list(demo)) {
                assertThat(clips).as("no demo clip generated for a run that is refused").isEmpty();
            }
        }
        CliRun badModel = analyze("--demo", "--model", dir.resolve("absent.json").toString());
        assertThat(badModel.code()).isEqualTo(2);
        assertThat(badModel.err()).doesNotContain("writing demo clips");
    }

    @Test
    void aMissingFileIsAUsageError() {
        CliRun r = analyze(dir.resolve("absent.mp4").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no such file or directory");
    }

    @Test
    void aPipeIsAUsageErrorNotAWaitForEver() throws Exception {
        Path fifo = dir.resolve("named.pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
        CliRun r = analyze(fifo.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not a regular file or directory", fifo.toString());
    }

    @Test
    void noInputIsAUsageError() {
        CliRun r = analyze();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("at least one FILE or DIR");
    }
}
