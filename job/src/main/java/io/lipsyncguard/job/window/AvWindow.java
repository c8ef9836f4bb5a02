package io.lipsyncguard.job.window;

import java.util.Arrays;
import java.util.Objects;

/**
 * One keyed audio-visual event per video: a window of mouth crops with its aligned audio features and evidence, or
 * the END / ERROR control event of that video.
 *
 * @param videoId key
 * @param kind what this event is
 * @param index window index (WINDOW), number of windows cut (END), chunk sequence (ERROR)
 * @param startMs media time of the window's first frame (END: 0)
 * @param endMs media time just after the window's last frame (END: media duration)
 * @param crops T mouth crops, grayscale row-major bytes (WINDOW only)
 * @param audio (T+2K)·M·nMels log-mel values, K frames of context either side (WINDOW only)
 * @param faceFraction share of frames with a face (END: over the whole video)
 * @param speechFraction share of frames with speech-level audio (END: over the whole video)
 * @param multiFaceFraction share of frames with two or more faces of similar size
 * @param dropoutFraction share of the frames of the window's audio, context included, that are digital silence (the
 *     audio dropped out or ended; END: 0)
 * @param hasAudio whether the video has an audio track
 * @param reason END: why the video yields no windows (no-audio, no-video, undecodable, too-short) or null; ERROR: what
 *     failed
 * @param producedAtMs producer wall-clock time of the newest chunk that contributed, for latency (0 unknown)
 * @param errors END: how many ERROR events of the video the decoder sent before it (0 otherwise); after a rescale the
 *     async operator's queue can deliver them after the END, and the verdict waits for them as for its windows
 */
public record AvWindow(
        String videoId,
        WindowKind kind,
        long index,
        long startMs,
        long endMs,
        byte[] crops,
        float[] audio,
        double faceFraction,
        double speechFraction,
        double multiFaceFraction,
        double dropoutFraction,
        boolean hasAudio,
        String reason,
        long producedAtMs,
        long errors) {

    /** A window or an ERROR event: no error count. */
    public AvWindow(String videoId, WindowKind kind, long index, long startMs, long endMs, byte[] crops, float[] audio,
            double faceFraction, double speechFraction, double multiFaceFraction, double dropoutFraction,
            boolean hasAudio, String reason, long producedAtMs) {
        this(videoId, kind, index, startMs, endMs, crops, audio, faceFraction, speechFraction, multiFaceFraction,
                dropoutFraction, hasAudio, reason, producedAtMs, 0);
    }

    public static AvWindow end(String videoId, long windows, long durationMs, double faceFraction,
            double speechFraction, double multiFaceFraction, boolean hasAudio, String reason, long producedAtMs,
            long errors) {
        return new AvWindow(videoId, WindowKind.END, windows, 0, durationMs, new byte[0], new float[0], faceFraction,
                speechFraction, multiFaceFraction, 0, hasAudio, reason, producedAtMs, errors);
    }

    public static AvWindow error(String videoId, long sequence, String reason, long producedAtMs) {
        return new AvWindow(videoId, WindowKind.ERROR, sequence, 0, 0, new byte[0], new float[0], 0, 0, 0, 0,
                false, reason, producedAtMs);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AvWindow w)) {
            return false;
        }
        return index == w.index && startMs == w.startMs && endMs == w.endMs
                && Double.compare(faceFraction, w.faceFraction) == 0
                && Double.compare(speechFraction, w.speechFraction) == 0
                && Double.compare(multiFaceFraction, w.multiFaceFraction) == 0
                && Double.compare(dropoutFraction, w.dropoutFraction) == 0 && hasAudio == w.hasAudio
                && producedAtMs == w.producedAtMs && errors == w.errors && Objects.equals(videoId, w.videoId)
                && kind == w.kind
                && Arrays.equals(crops, w.crops) && Arrays.equals(audio, w.audio) && Objects.equals(reason, w.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(videoId, kind, index, startMs, endMs, reason) * 31 + Arrays.hashCode(audio);
    }

    @Override
    public String toString() {
        return "AvWindow[" + videoId + " " + kind + " #" + index + " " + startMs + ".." + endMs + " ms"
                + (reason == null ? "" : " " + reason) + "]";
    }
}
