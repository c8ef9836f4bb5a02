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

    /** {@code frames} grid frames of picture (grey crops, a face) from {@code first}, or of sound, nothing else. */
    private static MediaFeatures piece(long first, int frames, boolean picture) {
        int px = spec.cropPixels();
        int spf = spec.samplesPerFrame();
        byte[] crops = new byte[picture ? frames * px : 0];
        java.util.Arrays.fill(crops, (byte) 90);
        boolean[] face = new boolean[picture ? frames : 0];
        java.util.Arrays.fill(face, true);
        float[] audio = new float[picture ? 0 : frames * spf];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (float) (0.1 * Math.sin(i * 0.05));
        }
        return new MediaFeatures(0, picture ? first : 0, picture ? frames : 0, crops, face,
                new byte[picture ? frames : 0], picture ? 0 : first * spf, audio, picture, !picture, 320, 320, 25,
                frames, picture);
    }

    @Test
    void anHourOfPictureWithoutSoundEndsWithoutComputingAnHourOfSilence() {
        VideoBuffer b = new VideoBuffer();
        for (long f = 0; f < 90_000; f += 500) {
            WindowCutter.append(b, piece(f, 500, true), spec);
            WindowCutter.computeMel(b, spec, filterbank, false);
            assertThat(WindowCutter.cut(b, spec, "v")).isEmpty();
        }
        WindowCutter.computeMel(b, spec, filterbank, true);
        // before, the END computed the log-mel of all 90 000 frames of silence: some 4 GB of DFT input
        assertThat(b.mel.length).isZero();
        assertThat(b.melFrames).isZero();
        assertThat(WindowCutter.cut(b, spec, "v")).isEmpty();
        assertThat(b.absentStream).isEqualTo("audio");
        assertThat(b.videoFrames()).isEqualTo(90_000);
        // the same for a picture shorter than the minute after which sound is given up
        VideoBuffer shortOne = new VideoBuffer();
        WindowCutter.append(shortOne, piece(0, 500, true), spec);
        WindowCutter.computeMel(shortOne, spec, filterbank, true);
        assertThat(shortOne.mel.length).isZero();
    }

    /** A buffer fed {@code minutes} of one stream alone, in pieces of 20 s, as the decoder feeds it. */
    private static VideoBuffer alone(int minutes, boolean picture) {
        VideoBuffer b = new VideoBuffer();
        for (long f = 0; f < minutes * 60 * 25; f += 500) {
            WindowCutter.append(b, piece(f, 500, picture), spec);
            WindowCutter.computeMel(b, spec, filterbank, false);
            WindowCutter.cut(b, spec, "v");
        }
        return b;
    }

    @Test
    void aStreamThatBeginsLongAfterTheOtherIsNotBufferedFromTheStart() {
        int minutes = 10;
        VideoBuffer b = alone(minutes, false);
        assertThat(b.absentStream).isEqualTo("video");
        // the picture begins ten minutes in: it is not copied into a buffer reaching back to frame 0
        WindowCutter.append(b, piece(minutes * 60 * 25, 50, true), spec);
        assertThat(b.crops.length).isLessThanOrEqualTo(50 * spec.cropPixels());
        assertThat(b.videoFrames()).isEqualTo(minutes * 60 * 25 + 50);
        assertThat(b.faceFrames).as("its faces still count for the END").isEqualTo(50);
        WindowCutter.cut(b, spec, "v");
        // and the other way round: sound ten minutes into a picture
        VideoBuffer p = alone(minutes, true);
        assertThat(p.absentStream).isEqualTo("audio");
        WindowCutter.append(p, piece(minutes * 60 * 25, 50, false), spec);
        assertThat(p.audio.length).isLessThanOrEqualTo(50 * spec.samplesPerFrame());
        WindowCutter.computeMel(p, spec, filterbank, false);
        assertThat(p.mel.length).isZero();
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
