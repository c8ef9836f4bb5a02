package io.lipsyncguard.job.media;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/** Runs the FFmpeg command-line tool bundled in the JavaCV ffmpeg jar for remuxing, cutting and benchmarking. */
public final class FfmpegTool {

    // Long media can take a while to re-encode on a small machine; a hung process must still end.
    private static final Duration TIMEOUT = Duration.ofMinutes(20);
    private static final int OUTPUT_TAIL_CHARS = 4000;
    private static final Pattern PROGRESS_FRAME = Pattern.compile("(?m)^frame=\\s*(\\d+)\\s*$");

    private static volatile String binary;
    private static volatile String encoder;

    private FfmpegTool() {}

    /**
     * The path of the ffmpeg executable, extracted from the JavaCV jar into the JavaCPP cache on first use.
     *
     * @throws IllegalStateException when it cannot be loaded, typically because a system library it links
     *                               (libpulse.so.0, libasound.so.2, libxcb.so.1) is not installed
     */
    public static String binary() {
        String path = binary;
        if (path == null) {
            synchronized (FfmpegTool.class) {
                if (binary == null) {
                    try {
                        binary = Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
                    } catch (UnsatisfiedLinkError | RuntimeException e) {
                        throw new IllegalStateException("cannot load the bundled ffmpeg executable (on Debian/Ubuntu"
                                + " it needs: apt-get install libpulse0 libasound2 libxcb1 libxcb-shm0): "
                                + e.getMessage(), e);
                    }
                }
                path = binary;
            }
        }
        return path;
    }

    /** Whether the bundled ffmpeg executable can be loaded on this machine. */
    public static boolean isAvailable() {
        try {
            version();
            return true;
        } catch (IllegalStateException | IOException e) {
            return false;
        }
    }

    /** The first line of {@code ffmpeg -version}, e.g. {@code ffmpeg version 8.0.1 Copyright (c) ...}. */
    public static String version() throws IOException {
        String out = run(List.of("-version"));
        int eol = out.indexOf('\n');
        return (eol < 0 ? out : out.substring(0, eol)).trim();
    }

    /**
     * Copies {@code in} to {@code out} (always Matroska, whatever the file name) with its first audio stream moved
     * {@code ms} later than the video (negative: earlier). No re-encoding; the offset goes into the timestamps.
     */
    public static void shiftAudio(Path in, Path out, int ms) throws IOException {
        String offset = String.format(Locale.ROOT, "%.3f", Math.abs(ms) / 1000.0);
        List<String> args = new ArrayList<>(List.of("-y"));
        // -itsoffset applies to the input that follows it: offsetting the audio's input delays the audio, offsetting
        // the video's input delays the video, which is the same relative shift in the other direction.
        if (ms >= 0) {
            args.addAll(List.of("-i", path(in), "-itsoffset", offset, "-i", path(in)));
        } else {
            args.addAll(List.of("-itsoffset", offset, "-i", path(in), "-i", path(in)));
        }
        args.addAll(List.of("-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-f", "matroska", path(out)));
        createParent(out);
        run(args);
    }

    /**
     * Copies {@code in} to {@code out} (Matroska) with its audio muted to digital silence from {@code fromS} to
     * {@code toS} seconds, as a dropout on a broadcast chain leaves it; the picture is copied, the audio stored as PCM.
     */
    public static void muteAudio(Path in, Path out, double fromS, double toS) throws IOException {
        createParent(out);
        run(List.of("-y", "-i", path(in), "-map", "0:v:0", "-map", "0:a:0", "-c:v", "copy", "-af",
                String.format(Locale.ROOT, "volume=enable='between(t,%.3f,%.3f)':volume=0", fromS, toS),
                "-c:a", "pcm_s16le", "-f", "matroska", path(out)));
    }

    /**
     * Copies {@code in} to {@code out} (Matroska) with its audio {@code db} decibels quieter, stored as PCM: a quiet
     * recording (a distant or low-gain microphone). The picture is copied.
     */
    public static void attenuateAudio(Path in, Path out, double db) throws IOException {
        createParent(out);
        run(List.of("-y", "-i", path(in), "-map", "0:v:0", "-map", "0:a:0", "-c:v", "copy", "-af",
                String.format(Locale.ROOT, "volume=%.1fdB", -db), "-c:a", "pcm_s16le", "-f", "matroska",
                path(out)));
    }

    /**
     * Writes {@code out} (Matroska) as {@code times} back-to-back plays of {@code in}, without re-encoding: a longer
     * stream from a short clip, for benchmarks that need minutes of media.
     */
    public static void loop(Path in, Path out, int times) throws IOException {
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1 but is " + times);
        }
        createParent(out);
        run(List.of("-y", "-stream_loop", String.valueOf(times - 1), "-i", path(in), "-map", "0:v:0",
                "-map", "0:a:0?", "-c", "copy", "-f", "matroska", path(out)));
    }

    /**
     * Writes {@code out} (MP4) as a phone records portrait video: the picture stored turned a quarter clockwise, with a
     * display rotation of 90° counter-clockwise that turns it back upright in a player. The audio is copied.
     */
    public static void storeSideways(Path in, Path out) throws IOException {
        createParent(out);
        Path turned = Files.createTempFile("lipsync-sideways", ".mp4");
        try {
            turnSideways(in, turned);
            run(List.of("-y", "-display_rotation", "90", "-i", path(turned), "-map", "0", "-c", "copy",
                    path(out)));
        } finally {
            Files.deleteIfExists(turned);
        }
    }

    /**
     * Writes {@code out} (MP4) with {@code in}'s picture turned a quarter clockwise and no display rotation: sideways
     * video whose rotation got lost, which a player shows sideways too. The audio is copied.
     */
    public static void turnSideways(Path in, Path out) throws IOException {
        createParent(out);
        List<String> args = new ArrayList<>(List.of("-y", "-i", path(in), "-map", "0:v:0", "-map", "0:a:0?",
                "-vf", "transpose=clock"));
        args.addAll(videoEncoderArgs());
        args.addAll(List.of("-c:a", "copy", path(out)));
        run(args);
    }

    /**
     * Writes {@code out} (MP4) with {@code in}'s picture frozen on its frame {@code fromFrame} up to frame
     * {@code toFrame} (inclusive) while the sound plays on, as a stalled encoder or a still image under a voice leaves
     * it. The audio is copied.
     */
    public static void freezePicture(Path in, Path out, int fromFrame, int toFrame) throws IOException {
        createParent(out);
        List<String> args = new ArrayList<>(List.of("-y", "-i", path(in), "-filter_complex",
                String.format(Locale.ROOT, "[0:v:0]split[a][b];[a][b]freezeframes=first=%d:last=%d:replace=%d[v]",
                        fromFrame, toFrame, fromFrame), "-map", "[v]", "-map", "0:a:0?"));
        args.addAll(videoEncoderArgs());
        args.addAll(List.of("-c:a", "copy", path(out)));
        run(args);
    }

    /**
     * Writes {@code out} (MPEG-TS) as {@code in}'s picture scaled to {@code width}×{@code height}, keeping its
     * timestamps and audio: another rendition of the same segment, as adaptive streaming switches between them.
     */
    public static void rendition(Path in, Path out, int width, int height) throws IOException {
        createParent(out);
        List<String> args = new ArrayList<>(List.of("-y", "-copyts", "-i", path(in), "-map", "0:v:0",
                "-map", "0:a:0?", "-vf", "scale=" + width + ":" + height));
        args.addAll(videoEncoderArgs());
        args.addAll(List.of("-c:a", "copy", "-muxdelay", "0", "-f", "mpegts", path(out)));
        run(args);
    }

    /**
     * Writes {@code out} (MPEG-TS) as {@code in} without re-encoding, its timestamps moved on by {@code offsetSeconds}:
     * concatenated after another such stream, a broadcast's timestamp discontinuity (an encoder restart, a wrap).
     */
    public static void transportStream(Path in, Path out, double offsetSeconds) throws IOException {
        createParent(out);
        run(List.of("-y", "-i", path(in), "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-bsf:v",
                "h264_mp4toannexb", "-output_ts_offset", String.valueOf(offsetSeconds), "-f", "mpegts",
                path(out)));
    }

    /**
     * Writes {@code out} (Matroska) with the video and audio of {@code video}, its audio as the second, default track
     * behind a first, non-default track from {@code otherAudio}: a dub or an audio description stored first.
     */
    public static void secondAudioTrack(Path video, Path otherAudio, Path out) throws IOException {
        createParent(out);
        run(List.of("-y", "-i", path(video), "-i", path(otherAudio), "-map", "0:v:0", "-map", "1:a:0",
                "-map", "0:a:0", "-c", "copy", "-shortest", "-disposition:a:0", "0", "-disposition:a:1", "default",
                "-f", "matroska", path(out)));
    }

    /** Writes {@code out} with the video of {@code video} and the audio of {@code audioSource}, cut to the shorter. */
    public static void swapAudio(Path video, Path audioSource, Path out) throws IOException {
        createParent(out);
        run(List.of("-y", "-i", path(video), "-i", path(audioSource),
                "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-shortest", path(out)));
    }

    /**
     * Cuts {@code in} into chunks of {@code seconds} in {@code outDir}, as a live packager would: {@code "ts"} gives
     * MPEG-TS files, {@code "fmp4"} self-contained fragmented MP4 files. The video is re-encoded with a keyframe at
     * every boundary so each chunk decodes on its own; the audio is re-encoded to AAC; chunks keep the source's
     * timestamps. Returns the chunks in playback order.
     */
    public static List<Path> segment(Path in, Path outDir, double seconds, String format) throws IOException {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds must be positive, got " + seconds);
        }
        String ext;
        List<String> formatArgs;
        switch (format) {
            case "ts" -> {
                ext = "ts";
                formatArgs = List.of("-segment_format", "mpegts");
            }
            case "fmp4" -> {
                ext = "mp4";
                // empty_moov puts the codec set-up at the start of every chunk, so no separate init segment is needed.
                formatArgs = List.of("-segment_format", "mp4", "-segment_format_options",
                        "movflags=+frag_keyframe+empty_moov+default_base_moof");
            }
            default -> throw new IllegalArgumentException("format must be \"ts\" or \"fmp4\", got \"" + format + "\"");
        }
        Files.createDirectories(outDir);
        // '%' would be read as part of the segment muxer's name template ("100% take" fails), so it goes
        String stem = stem(in).replace('%', '_');
        Path list = Files.createTempFile(outDir, stem + "-segments", ".txt");
        try {
            String s = String.format(Locale.ROOT, "%.3f", seconds);
            // The keyframes are forced on the input's clock, but the segment muxer cuts on the output's, which the
            // AAC encoder's priming can move by ~64 ms; without this slack a boundary keyframe can be missed.
            String slack = String.format(Locale.ROOT, "%.3f", Math.min(0.1, seconds / 4));
            List<String> args = new ArrayList<>(List.of("-y", "-i", path(in)));
            args.addAll(streamMaps(in));
            args.addAll(videoEncoderArgs());
            args.addAll(List.of("-force_key_frames", "expr:gte(t,n_forced*" + s + ")",
                    "-c:a", "aac", "-b:a", "64k",
                    "-f", "segment", "-segment_time", s, "-segment_time_delta", slack,
                    "-segment_list", path(list), "-segment_list_type", "flat"));
            args.addAll(formatArgs);
            args.add(outDir.toAbsolutePath().resolve(stem + "_%05d." + ext).toString());
            run(args);
            List<Path> chunks = new ArrayList<>();
            for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    chunks.add(outDir.resolve(line.trim()));
                }
            }
            return List.copyOf(chunks);
        } finally {
            Files.deleteIfExists(list);
        }
    }

    /**
     * FFmpeg's decode-only speed on {@code in} in video frames per second: {@code ffmpeg -benchmark -i in -f null -}
     * decodes every stream and discards the result; the frame count is the last {@code frame=} of its
     * {@code -progress} report, divided by the wall time of the whole process as measured here. That time includes
     * process start-up and probing (tens of milliseconds), so on short clips the figure is a lower bound.
     */
    public static double decodeOnlyFps(Path in) throws IOException {
        long start = System.nanoTime();
        String out = run(List.of("-benchmark", "-nostats", "-progress", "pipe:1",
                "-i", path(in), "-f", "null", "-"));
        double seconds = (System.nanoTime() - start) / 1e9;
        Matcher m = PROGRESS_FRAME.matcher(out);
        long frames = -1;
        while (m.find()) {
            frames = Long.parseLong(m.group(1));
        }
        if (frames < 0) {
            throw new IOException("ffmpeg reported no decoded video frames for " + in + ":\n" + tail(out));
        }
        return frames / seconds;
    }

    /**
     * The {@code -map}s of {@code in}'s streams that the job itself would decode (the tracks a player plays, see
     * {@link SegmentedDecode#preferredVideoStream} and {@link SegmentedDecode#preferredAudioStream}): chunks must
     * carry the same picture and sound as the whole file, not a dub stored first, and no audio file's cover image.
     * The first video and audio streams when the file cannot be probed.
     */
    static List<String> streamMaps(Path in) {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(in.toFile())) {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            grabber.start();
            List<String> maps = new ArrayList<>();
            int video = SegmentedDecode.preferredVideoStream(grabber);
            if (video >= 0 && !SegmentedDecode.coverPicture(grabber.getFormatContext(), video)) {
                maps.addAll(List.of("-map", "0:" + video));
            }
            int audio = SegmentedDecode.preferredAudioStream(grabber);
            if (audio >= 0) {
                maps.addAll(List.of("-map", "0:" + audio));
            }
            return maps;
        } catch (Exception e) {
            return List.of("-map", "0:v:0", "-map", "0:a:0?");
        }
    }

    /** Encoder arguments for re-encoding video: H.264 when the bundled FFmpeg has an encoder for it, else MPEG-4. */
    static List<String> videoEncoderArgs() throws IOException {
        return switch (videoEncoder()) {
            // No scene-cut keyframes: the only keyframes are the forced ones at chunk boundaries (and the GOP's).
            case "libx264" -> List.of("-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-sc_threshold", "0");
            case "libopenh264" -> List.of("-c:v", "libopenh264", "-b:v", "1M");
            default -> List.of("-c:v", "mpeg4", "-q:v", "3");
        };
    }

    static String videoEncoder() throws IOException {
        String name = encoder;
        if (name == null) {
            String encoders = run(List.of("-encoders"));
            name = "mpeg4";
            for (String candidate : List.of("libx264", "libopenh264")) {
                if (Pattern.compile("(?m)^\\s*V\\S*\\s+" + candidate + "\\s").matcher(encoders).find()) {
                    name = candidate;
                    break;
                }
            }
            encoder = name;
        }
        return name;
    }


    /**
     * A file as FFmpeg's argument: absolute, since a relative "take:2.mp4" would be read as the protocol "take"
     * (an input not found, an output written nowhere).
     */
    static String path(Path file) {
        return file.toAbsolutePath().toString();
    }
    /** Runs ffmpeg with {@code args}; returns its stdout and stderr together, or throws with them on failure. */
    static String run(List<String> args) throws IOException {
        String exe = binary();
        List<String> command = new ArrayList<>(List.of(exe, "-hide_banner", "-nostdin"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // The executable's RUNPATH covers only its direct libraries; the FFmpeg libraries next to it need to find
        // their own dependencies (libva, libdrm) in the same folder.
        Map<String, String> env = pb.environment();
        String dir = Path.of(exe).getParent().toString();
        String old = env.get("LD_LIBRARY_PATH");
        env.put("LD_LIBRARY_PATH", old == null || old.isEmpty() ? dir : dir + ":" + old);
        Path log = Files.createTempFile("lipsync-ffmpeg", ".log");
        try {
            pb.redirectOutput(log.toFile());
            Process process = pb.start();
            boolean finished;
            try {
                finished = process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while running " + String.join(" ", command));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (!finished) {
                process.destroyForcibly();
                throw new IOException("ffmpeg did not finish within " + TIMEOUT + ": " + String.join(" ", command)
                        + "\n" + tail(output));
            }
            if (process.exitValue() != 0) {
                throw new IOException("ffmpeg exited with " + process.exitValue() + ": " + String.join(" ", command)
                        + "\n" + tail(output));
            }
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(String output) {
        return output.length() <= OUTPUT_TAIL_CHARS
                ? output
                : "..." + output.substring(output.length() - OUTPUT_TAIL_CHARS);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static void createParent(Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
