package io.lipsyncguard.connectors;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.Path;

/** Builds the bounded file source that {@code analyze} and {@code evaluate} read media files with. */
public final class MediaFileSources {

    /** File name endings the source picks up when it walks a directory. */
    public static final Set<String> MEDIA_EXTENSIONS =
            Set.of("mp4", "m4v", "mov", "mkv", "webm", "avi", "ts", "mts", "m2ts", "flv", "mpg", "mpeg");

    private MediaFileSources() {}

    /**
     * A bounded source emitting one {@link MediaChunk} reference per media file found under the given paths: a file
     * named directly is always read (FFmpeg decides whether it is media, and a verdict or an error line says so), a
     * directory is walked for {@link #MEDIA_EXTENSIONS}.
     */
    public static FileSource<MediaChunk> forPaths(List<Path> paths) {
        return FileSource.forBulkFileFormat(new MediaFileFormat(), paths.toArray(new Path[0]))
                .setFileEnumerator(() -> enumeratorFor(paths))
                .build();
    }

    /** The enumerator {@link #forPaths} reads with: named paths always pass its filter, anything below them by name. */
    static NonSplittingRecursiveEnumerator enumeratorFor(List<Path> paths) {
        HashSet<String> named = new HashSet<>();
        for (Path p : paths) {
            named.add(comparable(p));
        }
        return new NonSplittingRecursiveEnumerator(
                path -> named.contains(comparable(path)) || isMediaFileOrDirectory(path));
    }

    /**
     * A path as the enumerator reports it back: its statuses carry the path without {@code .} or {@code ..} segments
     * and a directory without the trailing slash {@code java.nio.file.Path#toUri} gives it, so a named
     * {@code ../clip.3gp} or {@code _inbox/} compared as given would never match and be filtered out by name.
     */
    static String comparable(Path p) {
        String s = p.toUri().normalize().getPath();
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** The media files the source would read under the given local paths (files as given, directories walked). */
    public static List<java.nio.file.Path> listLocal(List<java.nio.file.Path> paths) throws IOException {
        List<java.nio.file.Path> out = new java.util.ArrayList<>();
        for (java.nio.file.Path p : paths) {
            if (java.nio.file.Files.isDirectory(p)) {
                // links followed as Flink's file source follows them: a linked folder is read, so it is listed
                try (var walk = java.nio.file.Files.walk(p, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
                    walk.filter(java.nio.file.Files::isRegularFile).filter(f -> isMediaName(f.getFileName().toString()))
                            .filter(f -> !hiddenBelow(p, f)).sorted().forEach(out::add);
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean hiddenBelow(java.nio.file.Path root, java.nio.file.Path file) {
        for (java.nio.file.Path part : root.relativize(file)) {
            String n = part.toString();
            if (n.startsWith(".") || n.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    static boolean isMediaName(String name) {
        int dot = name.lastIndexOf('.');
        return dot >= 0 && MEDIA_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static boolean isMediaFileOrDirectory(Path path) {
        String name = path.getName();
        if (name.startsWith(".") || name.startsWith("_")) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        if (dot >= 0 && MEDIA_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT))) {
            return true;
        }
        // The enumerator asks about directories too: walk those, skip every other file.
        try {
            return path.getFileSystem().getFileStatus(path).isDir();
        } catch (IOException e) {
            return false;
        }
    }
}
