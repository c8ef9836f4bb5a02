package io.lipsyncguard.job.media;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

/**
 * Size and modification time of a referenced file, taken when its decode begins: a file rewritten at the same path
 * while it is decoded (or between a checkpoint and the restore that decodes it again) must not give windows that are
 * half the old content and half the new.
 *
 * @param bytes      length of the file
 * @param modifiedMs last modification time, ms since the epoch (0 where the file system has none)
 */
public record FileStamp(long bytes, long modifiedMs) {

    /** The stamp of a local file. */
    public static FileStamp of(Path file) throws IOException {
        return new FileStamp(Files.size(file), Files.getLastModifiedTime(file).toMillis());
    }

    /** The stamp of a file on one of Flink's file systems (s3://, hdfs://, ...). */
    public static FileStamp ofRemote(String uri) throws IOException {
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(URI.create(uri));
        FileStatus status = FileSystem.get(path.toUri()).getFileStatus(path);
        return new FileStamp(status.getLen(), status.getModificationTime());
    }

    /** Why {@code now} is not the file this stamp was taken of, or null when it is the same. */
    public String changedTo(FileStamp now) {
        if (equals(now)) {
            return null;
        }
        return "the referenced file changed after its decode began (" + describe() + ", now " + now.describe()
                + "): the windows cut so far came from its earlier content, so its decode stops here";
    }

    private String describe() {
        return bytes + " bytes, modified " + Instant.ofEpochMilli(modifiedMs);
    }
}
