package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `--model` and `--device` accept, and what a mistake in either says. */
class ModelPathsTest {

    @TempDir
    Path dir;

    @Test
    void aModelsDirectoryStandsForItsManifest() {
        Path builtIn = ModelPaths.defaultManifest();
        JobConfig config = ModelPaths.loadableConfig(builtIn.getParent(), "cpu", "analyze");
        assertThat(config).isNotNull();
        assertThat(config.manifestPath()).isEqualTo(builtIn);
    }

    @Test
    void aMissingManifestIsNamedAsMissing() {
        String err = stderrOf(() -> assertThat(ModelPaths.loadableConfig(dir.resolve("absent.json"), "cpu",
                "analyze")).isNull());
        assertThat(err).contains("analyze: no model manifest at " + dir.resolve("absent.json"),
                "--model takes a manifest.json or its directory");
    }

    @Test
    void aDirectoryWithoutManifestSaysSo() {
        String err = stderrOf(() -> assertThat(ModelPaths.loadableConfig(dir, "cpu", "analyze")).isNull());
        assertThat(err).contains("no model manifest at " + dir + " (a directory without a manifest.json)");
    }

    @Test
    void anUnknownDeviceIsBlamedOnTheDeviceNotTheModel() {
        String err = stderrOf(() -> assertThat(ModelPaths.loadableConfig(null, "gpu", "run")).isNull());
        assertThat(err).contains("run: --device: unknown device 'gpu' (allowed: auto, cuda, cpu)")
                .doesNotContain("model");
    }

    static String stderrOf(Runnable r) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r.run();
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
