package io.lipsyncguard.job.media;

import java.util.Locale;

/** Maps a chunk's content type (MIME or file extension) to an FFmpeg demuxer name, or null to let FFmpeg probe. */
public final class ChunkFormats {

    private ChunkFormats() {}

    public static String ffmpegFormat(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        String c = contentType.toLowerCase(Locale.ROOT).trim();
        int semi = c.indexOf(';');
        if (semi >= 0) {
            c = c.substring(0, semi).trim();
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
