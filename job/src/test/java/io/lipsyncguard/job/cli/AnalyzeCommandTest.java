package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code analyze}'s usage errors: each says what is wrong and exits 2 before any job starts. */
class AnalyzeCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String err) {}

    static Run analyze(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] all = new String[args.length + 3];
            all[0] = "analyze";
            all[1] = "--device";
            all[2] = "cpu";
            System.arraycopy(args, 0, all, 3, args.length);
            return new Run(new CommandLine(new LipsyncCli()).execute(all), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aDirectoryWithoutMediaIsAUsageError() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not a video");
        Run r = analyze(dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no media files in", "mp4");
    }

    @Test
    void aMissingFileIsAUsageError() {
        Run r = analyze(dir.resolve("absent.mp4").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no such file or directory");
    }

    @Test
    void noInputIsAUsageError() {
        Run r = analyze();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("at least one FILE or DIR");
    }
}
