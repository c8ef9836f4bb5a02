package io.lipsyncguard.job.media;

import io.lipsyncguard.connectors.MediaChunk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Cuts a video file into MPEG-TS or fragmented-MP4 chunks with FFmpeg, as a live packager would, ready to publish. */
public final class MediaChunker {

    private MediaChunker() {}

    /** A chunk cut to a file, read only when it is sent, so that publishing hours of media holds one chunk at a time. */
    public record Part(String videoId, long sequence, boolean last, String contentType, long mediaStartUs, Path file) {

        /** The chunk with its bytes. */
        public MediaChunk load() throws IOException {
            return new MediaChunk(videoId, sequence, last, contentType, mediaStartUs, Files.readAllBytes(file), null,
                    0L);
        }

        public long size() throws IOException {
            return Files.size(file);
        }
    }

    /**
     * The chunks of {@code file} in order as files in {@code workDir}: sequence numbers from 0, the last one flagged,
     * content type set, media start left to the container's timestamps (continuous across MPEG-TS segments).
     */
    public static List<Part> parts(Path file, String videoId, double seconds, String format, Path workDir)
            throws IOException {
        List<Path> files = FfmpegTool.segment(file, workDir, seconds, format);
        String contentType = "ts".equals(format) ? "video/mp2t" : "video/mp4";
        List<Part> parts = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            // fMP4 segments restart their timestamps: the header carries the media start; TS keeps continuous ones
            long start = "ts".equals(format) ? MediaChunk.UNKNOWN_START : Math.round(i * seconds * 1_000_000);
            parts.add(new Part(videoId, i, i == files.size() - 1, contentType, start, files.get(i)));
        }
        return parts;
    }

    /** As {@link #parts}, read into memory. */
    public static List<MediaChunk> chunk(Path file, String videoId, double seconds, String format, Path workDir)
            throws IOException {
        List<MediaChunk> chunks = new ArrayList<>();
        for (Part p : parts(file, videoId, seconds, format, workDir)) {
            chunks.add(p.load());
        }
        return chunks;
    }
}
