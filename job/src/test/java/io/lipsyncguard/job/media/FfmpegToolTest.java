package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lipsyncguard.job.sample.DecodedClip;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the FFmpeg CLI wrapper on generated clips: audio shift, audio swap, chunking and the decode benchmark. */
class FfmpegToolTest {

    private static final long SEED = 7;
    private static final int MAX_LAG = 12;

    @TempDir
    static Path dir;

    private static Path clip;
    private static double[] mouth;

    @BeforeAll
    static void generateClip() throws IOException {
        // The bundled executable links system audio/X libraries (libpulse0 and others) that .ci/run installs; the
        // other tests use it unguarded, so a broken one fails here loudly rather than skipping these
        assertThat(FfmpegTool.isAvailable()).as("the bundled ffmpeg executable runs (libpulse0 and the others?)")
                .isTrue();
        clip = dir.resolve("talking.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(SEED, 4));
        mouth = TalkingHeadGenerator.mouthOpening(TalkingHeadGenerator.speechAudio(SEED, 4, 16_000), 16_000, 25);
    }

    @Test
    void versionNamesFfmpeg() throws IOException {
        assertThat(FfmpegTool.version()).startsWith("ffmpeg version");
    }

    @Test
    void shiftingTheAudioLaterDelaysItsEnvelope() throws IOException {
        Path later = dir.resolve("later.mkv");
        FfmpegTool.shiftAudio(clip, later, 200);
        double[] envelope = DecodedClip.decode(later, false).audioEnvelope(25);
        assertThat(DecodedClip.bestLag(mouth, envelope, MAX_LAG)).isBetween(4, 6); // 200 ms = 5 frames
    }

    @Test
    void shiftingTheAudioEarlierAdvancesItsEnvelope() throws IOException {
        Path earlier = dir.resolve("earlier.mkv");
        FfmpegTool.shiftAudio(clip, earlier, -200);
        double[] envelope = DecodedClip.decode(earlier, false).audioEnvelope(25);
        assertThat(DecodedClip.bestLag(mouth, envelope, MAX_LAG)).isBetween(-6, -4);
    }

    @Test
    void swappingTakesTheVideoOfOneAndTheAudioOfTheOther() throws IOException {
        Path other = dir.resolve("other.mp4");
        TalkingHeadGenerator.write(other, SampleSpec.noFace(SEED + 1, 4));
        Path swapped = dir.resolve("swapped.mp4");
        FfmpegTool.swapAudio(clip, other, swapped);

        DecodedClip decoded = DecodedClip.decode(swapped, true);
        double[] otherMouth = TalkingHeadGenerator.mouthOpening(
                TalkingHeadGenerator.speechAudio(SEED + 1, 4, 16_000), 16_000, 25);
        double[] envelope = decoded.audioEnvelope(25);
        assertThat(decoded.faceRate()).as("the picture is the talking head").isGreaterThanOrEqualTo(0.9);
        assertThat(DecodedClip.correlation(otherMouth, envelope, 0)).as("the sound is the other clip's")
                .isGreaterThan(0.7);
        assertThat(DecodedClip.maxCorrelation(mouth, envelope, MAX_LAG)).isLessThan(0.5);
    }

    @Test
    void loopingPlaysTheClipBackToBackWithBothStreams() throws IOException {
        Path looped = dir.resolve("looped.mkv");
        FfmpegTool.loop(clip, looped, 3);

        DecodedClip once = DecodedClip.decode(clip, false);
        DecodedClip thrice = DecodedClip.decode(looped, false);
        assertThat(thrice.videoFrames()).isBetween(3 * once.videoFrames() - 3, 3 * once.videoFrames() + 3);
        assertThat(thrice.audio().length).isBetween(3 * once.audio().length - 4000, 3 * once.audio().length + 4000);
    }

    @Test
    void tsChunksDecodeOnTheirOwn() throws IOException {
        assertChunksDecodeAlone(FfmpegTool.segment(clip, dir.resolve("ts"), 1.0, "ts"), "ts");
    }

    @Test
    void namesWithAPercentSignOrAColonAreCutToo() throws IOException {
        Path odd = dir.resolve("take:2 100% #1.mp4");
        java.nio.file.Files.copy(clip, odd);
        // relative, as a user types it: FFmpeg must not read "take:" as a protocol nor "% #" as a template
        Path relative = Path.of("").toAbsolutePath().relativize(odd);
        assertChunksDecodeAlone(FfmpegTool.segment(relative, dir.resolve("odd"), 1.0, "ts"), "ts");
    }

    @Test
    void everyToolTakesARelativeNameWithAColonInTheWorkingDirectory() throws IOException {
        // "take:2.mp4" as typed in the folder it is in (bench, bench-latency and calibrate hand such names on):
        // with no '/' before the colon FFmpeg reads "take" as a protocol, for inputs and outputs alike
        String stem = "take:" + ProcessHandle.current().pid();
        Path in = Path.of(stem + ".mp4");
        Path looped = Path.of(stem + " looped.mkv");
        Path shifted = Path.of(stem + " shifted.mkv");
        try {
            java.nio.file.Files.copy(clip, in);
            assertThat(FfmpegTool.decodeOnlyFps(in)).isPositive();
            FfmpegTool.loop(in, looped, 2);
            assertThat(DecodedClip.decode(looped.toAbsolutePath(), false).videoFrames()).isBetween(196, 204);
            FfmpegTool.shiftAudio(in, shifted, 200);
            assertThat(shifted).isNotEmptyFile();
        } finally {
            for (Path p : List.of(in, looped, shifted)) {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void fragmentedMp4ChunksDecodeOnTheirOwn() throws IOException {
        assertChunksDecodeAlone(FfmpegTool.segment(clip, dir.resolve("fmp4"), 1.0, "fmp4"), "mp4");
    }

    private static void assertChunksDecodeAlone(List<Path> chunks, String extension) throws IOException {
        assertThat(chunks).hasSizeBetween(3, 5).allSatisfy(p -> assertThat(p).hasExtension(extension).isNotEmptyFile());
        int total = 0;
        for (Path chunk : chunks) {
            DecodedClip decoded = DecodedClip.decode(chunk, false);
            assertThat(decoded.videoFrames()).as(chunk.toString()).isGreaterThanOrEqualTo(20);
            assertThat(decoded.sampleRate()).as(chunk.toString()).isEqualTo(16_000);
            total += decoded.videoFrames();
        }
        assertThat(total).isBetween(98, 102);
    }

    @Test
    void chunksCarryTheDefaultAudioTrackNotTheFirst() throws IOException {
        Path other = dir.resolve("dub.mp4");
        TalkingHeadGenerator.write(other, SampleSpec.noFace(SEED + 2, 4));
        Path dubFirst = dir.resolve("dub-first.mkv");
        FfmpegTool.secondAudioTrack(clip, other, dubFirst);
        double[] dub = TalkingHeadGenerator.mouthOpening(TalkingHeadGenerator.speechAudio(SEED + 2, 4, 16_000), 16_000,
                25);
        List<Path> chunks = FfmpegTool.segment(dubFirst, dir.resolve("dub-ts"), 8.0, "ts");
        assertThat(chunks).hasSize(1);
        double[] envelope = DecodedClip.decode(chunks.get(0), false).audioEnvelope(25);
        assertThat(DecodedClip.maxCorrelation(mouth, envelope, 3)).as("the clip's own, default track").isGreaterThan(0.7);
        assertThat(DecodedClip.maxCorrelation(dub, envelope, 3)).as("not the dub stored first").isLessThan(0.5);
    }

    @Test
    void segmentRejectsUnknownFormats() {
        assertThatThrownBy(() -> FfmpegTool.segment(clip, dir.resolve("x"), 1.0, "webm"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodeOnlySpeedIsPositive() throws IOException {
        assertThat(FfmpegTool.decodeOnlyFps(clip)).isPositive();
    }

    @Test
    void failuresCarryFfmpegsOwnMessage() {
        assertThatThrownBy(() -> FfmpegTool.shiftAudio(dir.resolve("missing.mp4"), dir.resolve("out.mkv"), 100))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("missing.mp4")
                .hasMessageContaining("No such file");
    }
}
