package io.lipsyncguard.connectors;

import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;

/**
 * A {@link BulkFormat} that turns each media file into one {@link MediaChunk} that references the file.
 *
 * <p>Media files are decoded by FFmpeg, which wants random access to the whole file; so the source hands out a claim
 * check (the file's URI) rather than streaming bytes, and the decoder opens the file itself.
 */
public final class MediaFileFormat implements BulkFormat<MediaChunk, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    @Override
    public Reader<MediaChunk> createReader(Configuration config, FileSourceSplit split) {
        return new OneFileReader(split);
    }

    @Override
    public Reader<MediaChunk> restoreReader(Configuration config, FileSourceSplit split) {
        // A restored split whose record was already emitted has a skip count of 1: emit nothing more.
        CheckpointedPosition position = split.getReaderPosition().orElse(null);
        OneFileReader reader = new OneFileReader(split);
        if (position != null && position.getRecordsAfterOffset() > 0) {
            reader.done = true;
        }
        return reader;
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<MediaChunk> getProducedType() {
        return TypeInformation.of(MediaChunk.class);
    }

    /** Video id of a file: its path as the source saw it, so two files with one name in two folders differ. */
    public static String videoIdOf(org.apache.flink.core.fs.Path path) {
        String scheme = path.toUri().getScheme();
        return scheme == null || "file".equals(scheme) ? path.toUri().getPath() : path.toString();
    }

    /**
     * The file's URI in its escaped form: Flink's {@code Path.toString()} leaves spaces and '%' as they are, which no
     * URI parser reads back.
     */
    public static String uriOf(org.apache.flink.core.fs.Path path) {
        return path.toUri().toString();
    }

    private static final class OneFileReader implements BulkFormat.Reader<MediaChunk> {
        private final FileSourceSplit split;
        private boolean done;

        OneFileReader(FileSourceSplit split) {
            this.split = split;
        }

        @Nullable
        @Override
        public RecordIterator<MediaChunk> readBatch() throws IOException {
            if (done) {
                return null;
            }
            done = true;
            org.apache.flink.core.fs.Path path = split.path();
            SingletonResultIterator<MediaChunk> it = new SingletonResultIterator<>();
            it.set(MediaChunk.wholeFile(videoIdOf(path), uriOf(path)), CheckpointedPosition.NO_OFFSET, 1);
            return it;
        }

        @Override
        public void close() {}
    }
}
