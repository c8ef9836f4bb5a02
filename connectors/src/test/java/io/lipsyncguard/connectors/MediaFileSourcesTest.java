package io.lipsyncguard.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files {@code analyze} counts before it starts are the files Flink's file source then reads. */
class MediaFileSourcesTest {

    @TempDir
    Path dir;

    @Test
    void linkedFoldersAreListedAsTheFileSourceReadsThem() throws Exception {
        Path videos = Files.createDirectories(dir.resolve("store/videos"));
        Files.writeString(videos.resolve("a.mp4"), "x");
        Files.writeString(videos.resolve("notes.txt"), "x");
        Files.createDirectories(videos.resolve(".cache"));
        Files.writeString(videos.resolve(".cache/b.mp4"), "x");
        Path top = Files.createDirectories(dir.resolve("top"));
        Files.writeString(top.resolve("c.MKV"), "x");
        Files.writeString(top.resolve("_skipped.mp4"), "x");
        Files.createSymbolicLink(top.resolve("linked-sub"), videos);
        Path linkedTop = Files.createSymbolicLink(dir.resolve("linked-top"), top);

        assertThat(MediaFileSources.listLocal(List.of(linkedTop))).containsExactly(
                linkedTop.resolve("c.MKV"), linkedTop.resolve("linked-sub/a.mp4"));
        assertThat(MediaFileSources.listLocal(List.of(linkedTop))).hasSameElementsAs(flinkReads(linkedTop));
        // a file named directly is read whatever its name
        Path named = videos.resolve("notes.txt");
        assertThat(MediaFileSources.listLocal(List.of(named))).containsExactly(named);
    }

    /** The files Flink's source enumerates under {@code root} with the job's filter. */
    private static TreeSet<Path> flinkReads(Path root) throws Exception {
        org.apache.flink.core.fs.Path flinkRoot = new org.apache.flink.core.fs.Path(root.toUri());
        TreeSet<Path> out = new TreeSet<>();
        for (FileSourceSplit split : new NonSplittingRecursiveEnumerator(MediaFileSources::isMediaFileOrDirectory)
                .enumerateSplits(new org.apache.flink.core.fs.Path[] {flinkRoot}, 1)) {
            out.add(Path.of(split.path().toUri()));
        }
        return out;
    }
}
