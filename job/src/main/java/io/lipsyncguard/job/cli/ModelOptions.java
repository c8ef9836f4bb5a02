package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.JobConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that runs the workflow shares: which model, on which device, at what parallelism. */
public final class ModelOptions {

    @Option(names = "--model", paramLabel = "MANIFEST", description = "Model manifest, or the directory holding "
            + "its manifest.json (default: the built-in sync-baseline).")
    Path model;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cuda or cpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism (default: ${DEFAULT-VALUE}; "
            + "on a cluster, without it, the deployment's).")
    int parallelism;

    /** The job configuration for the chosen model and device, or null after printing why it cannot load. */
    JobConfig loadable(String command) {
        return validParallelism(command) ? ModelPaths.loadableConfig(model, device, command) : null;
    }

    /** As {@link #loadable(String)}, checking the model on the CPU (see {@link ModelPaths}). */
    JobConfig loadableCheckedOnCpu(String command) {
        return validParallelism(command) ? ModelPaths.loadableConfig(model, device, command, true) : null;
    }

    /** Whether the parallelism is at least 1, after saying why on stderr when not: Flink would refuse it later. */
    private boolean validParallelism(String command) {
        if (parallelism < 1) {
            System.err.println(command + ": --parallelism must be at least 1 but is " + parallelism);
            return false;
        }
        return true;
    }
}
