package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code calibrate --stretches} on the real clips: every run of N windows decided alone, nothing written. */
class CalibrateCommandTest {

    static final Path SHARED = Path.of(System.getProperty("lipsync.shared.data", "../../shared/data"));
    static final Pattern LINE = Pattern.compile("N=(\\d+)\\s+(\\d+) runs:\\s+(\\d+) FAKE \\((\\d+) by the offset limits\\), "
            + "(\\d+) UNCERTAIN");

    @Test
    void stretchesCountTheRunsOfEachLengthAndLeaveTheManifestAlone() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        Path manifest = ModelPaths.defaultManifest();
        byte[] before = Files.readAllBytes(manifest);
        CliRun r = CliRun.of("calibrate", "--data", SHARED.toString(), "--stretches", "1,12,400");
        assertThat(r.code()).as(r.err()).isZero();
        Matcher m = LINE.matcher(r.out());
        int[] runs = new int[3];
        int[] fake = new int[3];
        for (int i = 0; i < 3; i++) {
            assertThat(m.find()).as(r.out()).isTrue();
            runs[i] = Integer.parseInt(m.group(2));
            fake[i] = Integer.parseInt(m.group(3));
            assertThat(Integer.parseInt(m.group(4))).isLessThanOrEqualTo(fake[i]);
        }
        // runs of 1 are the scored windows; a run of 12 starts at all but the last 11 of each clip's; none is 400 long
        assertThat(runs[0]).isGreaterThan(runs[1]).isGreaterThan(0);
        assertThat(runs[2]).isZero();
        assertThat(fake[1]).isLessThan(runs[1]);
        assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
    }

    @Test
    void anotherFamilysManifestIsRefusedAndLeftAsItWas(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // SyncNet's manifest has a "bias" too, which means something else there
        Path manifest = dir.resolve("manifest.json");
        Files.copy(Path.of("../models/syncnet/manifest.example.json"), manifest);
        byte[] before = Files.readAllBytes(manifest);
        CliRun r = CliRun.of("calibrate", "--model", manifest.toString(), "--data", "no/such/dir");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("fits models of family sync-correlation only", "is of family syncnet");
        assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
        assertThatThrownBy(() -> io.lipsyncguard.models.SyncBaselineModelBuilder.writeCalibration(manifest,
                java.util.Map.of("bias", 1.0), "notes")).hasMessageContaining("family");
        assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
    }

    @Test
    void optionsThatCannotWorkAreUsageErrorsBeforeAnyClipIsRead() {
        // the data directory is missing too: each refusal names its option, found before the clips are looked for
        for (String[] args : java.util.List.of(new String[] {"--l2", "-1"}, new String[] {"--l2", "NaN"},
                new String[] {"--video-l2", "Infinity"}, new String[] {"--stretches", "5,0"},
                new String[] {"--model", "no/such/manifest.json"})) {
            java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("calibrate", "--data",
                    "no/such/dir"));
            all.addAll(java.util.List.of(args));
            CliRun r = CliRun.of(all.toArray(new String[0]));
            String label = String.join(" ", args);
            assertThat(r.code()).as(label + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(label).startsWith("calibrate: ").contains(args[0].equals("--model")
                    ? "cannot use model no/such/manifest.json" : args[0]).doesNotContain("no data directory");
        }
    }

    @Test
    void aMissingDataDirectoryIsAUsageError() {
        CliRun r = CliRun.of("calibrate", "--data", "no/such/dir", "--stretches", "5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no data directory");
    }

    @Test
    void aFitWithoutEveryRealClipIsRefusedAndTheShippedCalibrationKept(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path manifest = ModelPaths.defaultManifest();
        byte[] before = Files.readAllBytes(manifest);
        CliRun none = CliRun.of("calibrate", "--data", dir.toString());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("lacks " + String.join(", ", CalibrateCommand.CLIPS));
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        Files.createSymbolicLink(dir.resolve("hdtf_aoc.mp4"), SHARED.resolve("hdtf_aoc.mp4").toAbsolutePath());
        CliRun some = CliRun.of("calibrate", "--data", dir.toString());
        assertThat(some.code()).isEqualTo(2);
        assertThat(some.err()).contains("lacks hdtf_katiehill.mp4", "--dry-run or --stretches work with those present")
                .doesNotContain("lacks hdtf_aoc.mp4");
        assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
        // the help names the files the fit looks for
        assertThat(CliRun.of("calibrate", "--help").out().replaceAll("\\s+", " ")).contains(CalibrateCommand.CLIPS);
    }
}
