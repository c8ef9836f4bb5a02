package io.lipsyncguard.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file source's one reference chunk per file: a URI that reads back to the file, and the plain path as id. */
class MediaFileFormatTest {

    @TempDir
    Path dir;

    @Test
    void referenceOfAFileWithSpacesPercentAndNonAsciiLettersReadsBackToTheFile() throws Exception {
        Path file = dir.resolve("a folder/clip 100% späť #1.mp4");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1, 2, 3});

        MediaChunk chunk = readOnlyChunk(file);

        assertThat(chunk.isReference()).isTrue();
        assertThat(chunk.videoId()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(Path.of(URI.create(chunk.uri()))).isEqualTo(file.toAbsolutePath());
        assertThat(chunk.uri()).startsWith("file:").contains("%20").contains("%25").contains("%23");
    }

    @Test
    void restoredSplitWhoseChunkWasEmittedEmitsNothing() throws Exception {
        Path file = dir.resolve("a.mp4");
        Files.write(file, new byte[] {1});
        FileSourceSplit split = split(file).updateWithCheckpointedPosition(
                new org.apache.flink.connector.file.src.util.CheckpointedPosition(
                        org.apache.flink.connector.file.src.util.CheckpointedPosition.NO_OFFSET, 1));
        BulkFormat.Reader<MediaChunk> reader = new MediaFileFormat().restoreReader(new Configuration(), split);
        assertThat(reader.readBatch()).isNull();
    }

    private static FileSourceSplit split(Path file) throws Exception {
        return new FileSourceSplit("0", new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri()), 0,
                Files.size(file), 0, Files.size(file));
    }

    private static MediaChunk readOnlyChunk(Path file) throws Exception {
        BulkFormat.Reader<MediaChunk> reader = new MediaFileFormat().createReader(new Configuration(), split(file));
        BulkFormat.RecordIterator<MediaChunk> batch = reader.readBatch();
        RecordAndPosition<MediaChunk> record = batch.next();
        assertThat(batch.next()).isNull();
        assertThat(reader.readBatch()).isNull();
        return record.getRecord();
    }
}
