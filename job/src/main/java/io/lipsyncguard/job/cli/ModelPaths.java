package io.lipsyncguard.job.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the built-in model's manifest: under {@code -Dlipsync.home}, else in the nearest enclosing checkout. */
public final class ModelPaths {

    static final String DEFAULT = "models/sync-baseline/manifest.json";

    private ModelPaths() {}

    public static Path defaultManifest() {
        String home = System.getProperty("lipsync.home");
        if (home != null) {
            return Path.of(home).resolve(DEFAULT).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(DEFAULT);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return Path.of(DEFAULT).toAbsolutePath();
    }
}
