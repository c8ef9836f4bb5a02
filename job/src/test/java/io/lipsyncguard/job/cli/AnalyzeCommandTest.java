package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze}'s usage errors: each says what is wrong and exits 2 before any job starts. */
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
    void aDirectoryWithoutMediaIsAUsageError() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not a video");
        CliRun r = analyze(dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no media files in", "mp4");
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
