package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.media.FaceTrackState;
import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.MediaFeatureExtractor;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.media.MediaSpec;
import io.lipsyncguard.job.media.SegmentedDecode;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.sample.WavFile;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A picture without sound, or sound without picture, as a live stream sends them for hours: once the missing stream
 * is taken to be absent, the buffer (the video's keyed state) stops growing, and the counts go on.
 */
class LoneStreamTest {

    @TempDir
    static Path tmp;

    static WindowSpec spec;
    static MediaSpec media;
    static float[][] filterbank;

    @BeforeAll
    static void specs() throws Exception {
        spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        media = spec.mediaSpec(5, 320);
        filterbank = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(), spec.fMax());
    }

    /** Decodes {@code file} in segments of 2 s as the job does and returns the buffer and its largest size seen. */
    private static long[] decode(Path file, VideoBuffer b, boolean pictures) throws Exception {
        long largestAfterLimit = 0;
        long limitFrames = (long) WindowCutter.LONE_STREAM_LIMIT_SECONDS * spec.fps();
        try (SegmentedDecode d = MediaFeatureExtractor.openSegmented(file, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L, new FaceTrackState(), 50)) {
            for (MediaFeatures f; (f = d.next()) != null; ) {
                WindowCutter.append(b, f, spec);
                WindowCutter.computeMel(b, spec, filterbank, false);
                assertThat(WindowCutter.cut(b, spec, "v")).isEmpty();
                long held = pictures ? b.cropFrames : b.audioLen / spec.samplesPerFrame();
                long seen = pictures ? b.videoFrames() : b.audioEnd() / spec.samplesPerFrame();
                if (seen > limitFrames + 50) {
                    largestAfterLimit = Math.max(largestAfterLimit, held);
                }
            }
        }
        WindowCutter.computeMel(b, spec, filterbank, true);
        assertThat(WindowCutter.cut(b, spec, "v")).isEmpty();
        return new long[] {largestAfterLimit};
    }

    @Test
    void aPictureWithoutSoundStopsGrowingAfterItsFirstMinute() throws Exception {
        Path clip = tmp.resolve("silent-film.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.noAudio(61, 5));
        Path long75 = tmp.resolve("silent-film-75s.mkv");
        FfmpegTool.loop(clip, long75, 15);
        VideoBuffer b = new VideoBuffer();
        long largest = decode(long75, b, true)[0];

        assertThat(b.absentStream).isEqualTo("audio");
        assertThat(largest).as("frames held after the first minute").isLessThanOrEqualTo(51);
        assertThat(b.videoFrames()).isEqualTo(75 * 25);
        assertThat(b.faceFrames).isGreaterThan(b.videoFrames() * 9 / 10);
        assertThat(b.nextWindow).isZero();
    }

    @Test
    void soundWithoutPictureStopsGrowingAfterItsFirstMinute() throws Exception {
        Path wav = tmp.resolve("radio-75s.wav");
        WavFile.write(wav, TalkingHeadGenerator.speechAudio(62, 75, 16_000), 16_000);
        VideoBuffer b = new VideoBuffer();
        long largest = decode(wav, b, false)[0];

        assertThat(b.absentStream).isEqualTo("video");
        assertThat(largest).as("frames' worth of samples held after the first minute").isLessThanOrEqualTo(51);
        assertThat(b.audioEnd()).isEqualTo(75L * 16_000);
    }

    @Test
    void shortVideosWithOneStreamAreKeptWhole() throws Exception {
        Path clip = tmp.resolve("short-silent.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.noAudio(63, 5));
        VideoBuffer b = new VideoBuffer();
        decode(clip, b, true);
        // within the first minute the sound might still begin: nothing is given up yet
        assertThat(b.absentStream).isNull();
        assertThat(b.cropFrames).isEqualTo(125);
    }
}
