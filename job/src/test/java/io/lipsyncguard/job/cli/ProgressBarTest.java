package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The progress bar's text, and its silence off a terminal. */
class ProgressBarTest {

    @Test
    void showsFilesRateAndEtaFromTheRemainingBytes() {
        // 3 of 10 files, 30% of the bytes in 18 s: 42 s to go; 7500 frames in 18 s
        String line = ProgressBar.line(3, 10, 7500, 300, 1000, 18_000);
        assertThat(line).isEqualTo("[#######.................] 3/10 files  417 frames/s  ETA 0:42  elapsed 0:18");
    }

    @Test
    void beforeTheFirstFileThereIsNoEta() {
        assertThat(ProgressBar.line(0, 4, 0, 0, 1000, 0)).contains("0/4 files").contains("ETA --:--")
                .startsWith("[" + ".".repeat(ProgressBar.BAR_WIDTH) + "]");
        assertThat(ProgressBar.line(4, 4, 100, 1000, 1000, 3_700_000)).contains("ETA 0:00")
                .contains("elapsed 1:01:40").startsWith("[" + "#".repeat(ProgressBar.BAR_WIDTH) + "]");
    }

    @Test
    void aLinePrintedAboveTheBarBlanksItFirstAndRedrawsIt() {
        java.io.ByteArrayOutputStream terminal = new java.io.ByteArrayOutputStream();
        java.io.PrintStream both = new java.io.PrintStream(terminal, true, java.nio.charset.StandardCharsets.UTF_8);
        ProgressBar bar = ProgressBar.unstarted(both, 2, 100);
        bar.fileDone(50, 25);
        bar.above(both, "{\"videoId\":\"a\"}");
        String[] parts = terminal.toString(java.nio.charset.StandardCharsets.UTF_8).split("\r", -1);
        // bar, blank of the bar's width, the line on a clean line, the bar again
        assertThat(parts[1]).startsWith("[############............] 1/2 files");
        assertThat(parts[2]).isBlank().hasSize(parts[1].length());
        assertThat(parts[3]).startsWith("{\"videoId\":\"a\"}\n");
        assertThat(parts[4]).startsWith("[############............] 1/2 files");
    }

    @Test
    void staysQuietWhenNotOnATerminal() {
        // surefire's forked JVM has no console
        assertThat(ProgressBar.startIfTerminal(System.err, 5, 100)).isNull();
    }

    @Test
    void theLaunchersWordOnStandardErrorOutweighsJavasConsole() {
        // `analyze dir 2>log` from a terminal: Java 17 has a console, but the bar's line would go into the log
        assertThat(ProgressBar.onTerminal("false", true)).isFalse();
        assertThat(ProgressBar.onTerminal("true", false)).isTrue();
        // started without the launcher: Java's console decides
        assertThat(ProgressBar.onTerminal(null, true)).isTrue();
        assertThat(ProgressBar.onTerminal(null, false)).isFalse();
    }
}
