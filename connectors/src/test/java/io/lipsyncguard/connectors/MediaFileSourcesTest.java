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

    @Test
    void namedInputsAreReadWhateverTheirSpelling() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("_inbox"));
        Files.writeString(inbox.resolve("a.mp4"), "x");
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("clip.3gp"), "x");
        Files.writeString(dir.resolve(".take1.mp4"), "x");
        // as analyze gets them from a shell: a folder whose name the walk skips, a file with a name the walk skips,
        // and paths through ".." and "."
        List<Path> inputs = List.of(inbox, sub.resolve("../clip.3gp"), sub.resolve("./../.take1.mp4"));
        TreeSet<Path> read = new TreeSet<>();
        for (FileSourceSplit split : MediaFileSources.enumeratorFor(inputs.stream()
                .map(p -> new org.apache.flink.core.fs.Path(p.toAbsolutePath().toUri())).toList())
                .enumerateSplits(inputs.stream().map(p -> new org.apache.flink.core.fs.Path(p.toAbsolutePath().toUri()))
                        .toArray(org.apache.flink.core.fs.Path[]::new), 1)) {
            read.add(Path.of(split.path().toUri()));
        }
        assertThat(read).containsExactlyInAnyOrder(
                inbox.resolve("a.mp4"), dir.resolve("clip.3gp"), dir.resolve(".take1.mp4"));
        assertThat(MediaFileSources.listLocal(inputs).stream().map(p -> p.toAbsolutePath().normalize()))
                .containsExactlyInAnyOrderElementsOf(read);
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
