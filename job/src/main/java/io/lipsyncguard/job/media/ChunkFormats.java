package io.lipsyncguard.job.media;

import io.lipsyncguard.connectors.kafka.ChunkContentTypes;

/** Maps a chunk's content type (MIME or file extension) to an FFmpeg demuxer name, or null to let FFmpeg probe. */
public final class ChunkFormats {

    private ChunkFormats() {}

    public static String ffmpegFormat(String contentType) {
        String c = ChunkContentTypes.mediaType(contentType); // as the deserializer reads it: no case, no parameters
        if (c == null) {
            return null;
        }
        return switch (c) {
            case "video/mp2t", "video/mpegts", "ts", "mpegts" -> "mpegts";
            case "video/mp4", "video/iso.segment", "audio/mp4", "mp4", "m4s", "fmp4" -> "mp4";
            case "video/x-matroska", "video/webm", "mkv", "webm", "matroska" -> "matroska";
            case "video/x-msvideo", "avi" -> "avi";
            default -> null;
        };
    }
}
