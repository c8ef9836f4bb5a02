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
 * A Flink file system for tests, scheme {@code slowtest}: the local disk, opened when the test lets it (or never), as
 * a remote object store serves a large file or stops answering (registered through META-INF/services).
 */
public class SlowFileSystemFactory implements FileSystemFactory {

    /** Opens of a path containing this (when set) hang until interrupted, as a stalled object store's do. */
    static volatile String stallOn;

    /** When set, every open waits for it: the test decides when the object store answers. */
    static volatile java.util.concurrent.CountDownLatch gate;

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
                java.util.concurrent.CountDownLatch wait = gate;
                if (wait != null) {
                    wait.await();
                }
                if (stall != null && f.toUri().getPath().contains(stall)) {
                    Thread.sleep(Long.MAX_VALUE);
                }
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
