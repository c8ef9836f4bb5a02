package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.ModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the model manifest the commands use (the built-in one under {@code -Dlipsync.home}, else in the nearest
 * enclosing checkout) and checks that it loads before a job starts.
 */
public final class ModelPaths {

    static final String DEFAULT = "models/sync-baseline/manifest.json";

    private ModelPaths() {}

    /**
     * The job settings for {@code model} (null: the built-in one) on {@code device}, after loading the model once so a
     * bad manifest, file or device fails before Flink starts, with the loader's message; null (message printed on
     * stderr) when it does not load.
     */
    static JobConfig loadableConfig(Path model, String device, String command) {
        return loadableConfig(model, device, command, false);
    }

    /**
     * As {@link #loadableConfig(Path, String, String)}; with {@code checkOnCpu} the model is loaded on the CPU for the
     * check, whatever the device: a cluster's JobManager, where the check runs, has no GPU, the TaskManagers do.
     */
    static JobConfig loadableConfig(Path model, String device, String command, boolean checkOnCpu) {
        Device d;
        try {
            d = Device.parse(device);
        } catch (IllegalArgumentException e) {
            System.err.println(command + ": --device: " + e.getMessage());
            return null;
        }
        Path manifest = manifestOf(model);
        if (!Files.isRegularFile(manifest)) {
            System.err.println(command + ": no model manifest at " + manifest + (Files.isDirectory(manifest)
                    ? " (a directory without a manifest.json)" : "") + "; --model takes a manifest.json or its "
                    + "directory");
            return null;
        }
        try {
            try (LoadedModel loaded = ModelLoader.load(manifest, checkOnCpu ? Device.CPU : d)) {
                System.err.println("model " + loaded.manifest().id() + " " + loaded.manifest().version() + " on "
                        + loaded.device());
            }
            return JobConfig.defaults(manifest).withDevice(d);
        } catch (RuntimeException e) {
            System.err.println(command + ": cannot use model " + manifest + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * The manifest {@code --model} names: the built-in one when null, {@code model} itself, or for a model's directory
     * the {@code manifest.json} in it.
     */
    static Path manifestOf(Path model) {
        if (model == null) {
            return defaultManifest();
        }
        Path inside = model.resolve("manifest.json");
        return Files.isDirectory(model) && Files.isRegularFile(inside) ? inside : model;
    }

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
