package io.lipsyncguard.job.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;

/** Writes an output file whole or not at all: a crash or a full disk leaves the previous file, never half of one. */
public final class AtomicFiles {

    /** Writes the file's content to the path it is given, creating that file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    private AtomicFiles() {}

    public static void writeString(Path target, String text) throws IOException {
        write(target, file -> Files.write(file, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Each line followed by a newline, as {@link Files#write(Path, Iterable, java.nio.file.OpenOption...)} writes. */
    public static void writeLines(Path target, List<String> lines) throws IOException {
        write(target, file -> Files.write(file, lines, StandardCharsets.UTF_8));
    }

    /**
     * Lets {@code content} fill a hidden file beside {@code target}, then renames it over {@code target}. The file is
     * created by {@code content}, so it gets the umask's permissions as a plain write would (a temp file's are 0600).
     * A link is followed: the file it names is replaced and the link stays. A target that is no regular file (a
     * pipe, {@code /dev/stdout}) has nothing to keep and is written directly; renamed over, it would be replaced.
     */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute)) {
            absolute = absolute.toRealPath();
            if (Files.isDirectory(absolute)) {
                throw new IOException(target + " is a directory");
            }
            if (!Files.isRegularFile(absolute)) {
                content.writeTo(absolute);
                return;
            }
        }
        Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            content.writeTo(tmp);
            // rename(2) replaces an existing file in one step
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
