package io.lipsyncguard.job.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of the files and directories a command will write, made before it starts its work: a report or metrics
 * path that cannot be written must not surface only after minutes of analysis, with the results lost.
 */
final class OutputPaths {

    private OutputPaths() {}

    /** Why {@code file} cannot be written as a file, or null when it can. */
    static String fileProblem(Path file) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return file + " is a directory";
        }
        if (Files.exists(abs) && !Files.isWritable(abs)) {
            return file + " is not writable";
        }
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return "no directory " + parent + " to write " + file.getFileName() + " in";
        }
        if (!Files.isWritable(parent)) {
            return "cannot write in " + parent;
        }
        return null;
    }

    /** Creates {@code dir} (and its parents) if need be; why it cannot be a directory to write in, or null. */
    static String directoryProblem(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return dir + " exists and is not a directory";
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            return "cannot create directory " + dir + ": " + e.getMessage();
        }
        if (!Files.isWritable(dir)) {
            return "cannot write in " + dir;
        }
        return null;
    }
}
