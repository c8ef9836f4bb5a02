package io.lipsyncguard.job.media;

import java.io.IOException;
import java.net.URI;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A Flink file system for tests, scheme {@code slowtest}: the local disk, opened after a delay, as a remote object
 * store serves a large file (registered through META-INF/services).
 */
public class SlowFileSystemFactory implements FileSystemFactory {

    /** How long each open takes. */
    static volatile long openDelayMs;

    /** Opens of a path containing this (when set) hang until interrupted, as a stalled object store's do. */
    static volatile String stallOn;

    @Override
    public String getScheme() {
        return "slowtest";
    }

    @Override
    public FileSystem create(URI fsUri) {
        return new Slow();
    }

    private static final class Slow extends LocalFileSystem {
        @Override
        public FSDataInputStream open(Path f) throws IOException {
            try {
                String stall = stallOn;
                Thread.sleep(stall != null && f.toUri().getPath().contains(stall) ? Long.MAX_VALUE : openDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return super.open(local(f));
        }

        @Override
        public FileStatus getFileStatus(Path f) throws IOException {
            return super.getFileStatus(local(f));
        }

        @Override
        public URI getUri() {
            return URI.create("slowtest:///");
        }

        private static Path local(Path f) {
            return new Path("file", null, f.toUri().getPath());
        }
    }
}
