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

    /**
     * The chunks of {@code file} in order: sequence numbers from 0, the last one flagged, content type set, media
     * start left to the container's timestamps (continuous across MPEG-TS segments). Chunk files go to
     * {@code workDir}.
     */
    public static List<MediaChunk> chunk(Path file, String videoId, double seconds, String format, Path workDir)
            throws IOException {
        List<Path> parts = FfmpegTool.segment(file, workDir, seconds, format);
        String contentType = "ts".equals(format) ? "video/mp2t" : "video/mp4";
        List<MediaChunk> chunks = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            // fMP4 segments restart their timestamps: the header carries the media start; TS keeps continuous ones
            long start = "ts".equals(format) ? MediaChunk.UNKNOWN_START : Math.round(i * seconds * 1_000_000);
            chunks.add(new MediaChunk(videoId, i, i == parts.size() - 1, contentType, start,
                    Files.readAllBytes(parts.get(i)), null, 0L));
        }
        return chunks;
    }
}
