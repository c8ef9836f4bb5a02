package io.lipsyncguard.job.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output files are replaced whole, and a failed write leaves the previous file and no litter. */
class AtomicFilesTest {

    @Test
    void aWriteReplacesTheFileWithThePermissionsOfAPlainWrite(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("evaluation.json");
        AtomicFiles.writeString(out, "old");
        AtomicFiles.writeLines(out, List.of("a", "b"));
        assertThat(out).hasContent("a\nb\n");
        Path plain = Files.write(dir.resolve("plain"), new byte[0]);
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void aWriteThatFailsHalfWayLeavesThePreviousFileAndNoTempFile(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("index.html");
        AtomicFiles.writeString(out, "complete");
        assertThatThrownBy(() -> AtomicFiles.write(out, file -> {
            Files.writeString(file, "half");
            throw new IOException("No space left on device");
        })).hasMessageContaining("No space left");
        assertThat(out).hasContent("complete");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(out);
        }
    }

    @Test
    void aDirectoryInTheWayIsAnErrorAndStays(@TempDir Path dir) throws IOException {
        Path blocked = Files.createDirectory(dir.resolve("report.html"));
        assertThatThrownBy(() -> AtomicFiles.writeString(blocked, "page")).isInstanceOf(IOException.class)
                .hasMessageContaining("is a directory");
        assertThat(blocked).isEmptyDirectory();
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(blocked);
        }
    }

    @Test
    void aLinkStaysALinkAndAPipeOrDeviceIsWrittenInPlace(@TempDir Path dir) throws IOException {
        Path real = Files.writeString(dir.resolve("real.json"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("evaluation.json"), real);
        AtomicFiles.writeString(link, "new");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(real).hasContent("new");
        // `--windows /dev/stdout` and the like: renamed over, the device would have been replaced by a file
        Path device = Files.createSymbolicLink(dir.resolve("out"), Path.of("/dev/null"));
        AtomicFiles.writeLines(device, List.of("a"));
        assertThat(Files.readSymbolicLink(device)).isEqualTo(Path.of("/dev/null"));
        assertThat(Files.isRegularFile(Path.of("/dev/null"))).isFalse();
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(real, link, device);
        }
    }
}
