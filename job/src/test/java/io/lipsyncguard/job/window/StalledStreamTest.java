package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.models.ModelManifest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A stream that stops mid-video while the other goes on, for minutes, as a live stream whose microphone or camera
 * drops out: the buffer (the video's keyed state) stays bounded, windows go on being cut, and those past the stall
 * say why they cannot be scored.
 */
class StalledStreamTest {

    static final int SEGMENT_FRAMES = 50;

    static WindowSpec spec;
    static float[][] filterbank;

    @BeforeAll
    static void specs() throws Exception {
        spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        filterbank = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(), spec.fMax());
    }

    /** Segment {@code i} (2 s) of a talking video, with only the streams asked for. */
    private static MediaFeatures segment(int i, boolean video, boolean audio, float[] speech) {
        int px = spec.cropPixels();
        int spf = spec.samplesPerFrame();
        long first = (long) i * SEGMENT_FRAMES;
        byte[] crops = new byte[video ? SEGMENT_FRAMES * px : 0];
        new SplittableRandom(i).nextBytes(crops);
        boolean[] face = new boolean[video ? SEGMENT_FRAMES : 0];
        Arrays.fill(face, true);
        byte[] faces = new byte[face.length];
        Arrays.fill(faces, (byte) 1);
        float[] samples = audio ? Arrays.copyOfRange(speech, (int) (first * spf), (int) ((first + SEGMENT_FRAMES) * spf))
                : new float[0];
        return new MediaFeatures(0, first, video ? SEGMENT_FRAMES : 0, crops, face, faces, first * spf, samples,
                video, audio, 320, 320, 25, video ? SEGMENT_FRAMES : 0, video);
    }

    /** Feeds 20 s of both streams and then {@code minutes} of one; returns the windows and the largest buffer held. */
    private static List<AvWindow> run(VideoBuffer b, boolean videoGoesOn, int minutes, long[] largest) {
        int segments = (20 + minutes * 60) / 2;
        float[] speech = TalkingHeadGenerator.speechAudio(71, segments * 2 + 1, spec.sampleRate());
        List<AvWindow> windows = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            boolean both = i < 10;
            WindowCutter.append(b, segment(i, both || videoGoesOn, both || !videoGoesOn, speech), spec);
            WindowCutter.computeMel(b, spec, filterbank, false);
            windows.addAll(WindowCutter.cut(b, spec, "v"));
            largest[0] = Math.max(largest[0], Math.max(b.cropFrames, b.audioLen / spec.samplesPerFrame()));
        }
        return windows;
    }

    @Test
    void soundThatStopsWhileThePictureGoesOnIsFilledWithSilenceAndTheBufferStaysBounded() {
        VideoBuffer b = new VideoBuffer();
        long[] largest = {0};
        List<AvWindow> windows = run(b, true, 5, largest);
        long slack = (long) WindowCutter.LONE_STREAM_LIMIT_SECONDS * spec.fps();
        // about the minute of slack and a window with its margins: not the 5 minutes seen
        assertThat(largest[0]).isLessThanOrEqualTo(slack + spec.windowFrames() + 2L * spec.marginFrames()
                + 2L * SEGMENT_FRAMES);
        assertThat(b.videoFrames()).isEqualTo(320L * spec.fps());
        assertThat(b.absentStream).isNull();
        // windows go on up to a minute behind the picture; those in the silence are dropouts, the first are not
        long filledTo = spec.frameToMs(b.videoFrames() - slack);
        assertThat(windows).isNotEmpty();
        assertThat(windows.get(windows.size() - 1).endMs()).isGreaterThan(filledTo - 1500);
        assertThat(windows).filteredOn(w -> w.endMs() + 600 <= 20_000)
                .isNotEmpty().allMatch(w -> w.dropoutFraction() == 0);
        assertThat(windows).filteredOn(w -> w.startMs() - 600 >= 20_000)
                .isNotEmpty().allMatch(w -> w.dropoutFraction() == 1.0 && w.faceFraction() == 1.0);
    }

    @Test
    void aPictureThatStopsWhileTheSoundGoesOnIsFilledWithFramesWithoutAFace() {
        VideoBuffer b = new VideoBuffer();
        long[] largest = {0};
        List<AvWindow> windows = run(b, false, 5, largest);
        long slack = (long) WindowCutter.LONE_STREAM_LIMIT_SECONDS * spec.fps();
        assertThat(largest[0]).isLessThanOrEqualTo(slack + spec.windowFrames() + 2L * spec.marginFrames()
                + 2L * SEGMENT_FRAMES);
        assertThat(b.audioEnd()).isEqualTo(320L * spec.fps() * spec.samplesPerFrame());
        assertThat(b.faceFrames).isEqualTo(20L * spec.fps()); // the filled frames count as seen, without a face
        assertThat(windows).filteredOn(w -> w.startMs() >= 20_000)
                .isNotEmpty().allMatch(w -> w.faceFraction() == 0 && w.dropoutFraction() == 0);
        assertThat(windows).filteredOn(w -> w.endMs() <= 20_000).isNotEmpty().allMatch(w -> w.faceFraction() == 1);
    }

    @Test
    void aStallShorterThanTheSlackIsNotFilledSoItsLateDataStillLands() {
        VideoBuffer b = new VideoBuffer();
        float[] speech = TalkingHeadGenerator.speechAudio(72, 40, spec.sampleRate());
        for (int i = 0; i < 10; i++) {
            WindowCutter.append(b, segment(i, true, i < 2, speech), spec);
        }
        // the sound lags 16 s: nothing is filled in, and its data placed later goes where its timestamps say
        assertThat(b.audioEnd()).isEqualTo(2L * SEGMENT_FRAMES * spec.samplesPerFrame());
        for (int i = 2; i < 10; i++) {
            WindowCutter.append(b, segment(i, false, true, speech), spec);
        }
        assertThat(b.audioEnd()).isEqualTo(10L * SEGMENT_FRAMES * spec.samplesPerFrame());
        assertThat(Arrays.copyOfRange(b.audio, 0, b.audioLen))
                .containsExactly(Arrays.copyOfRange(speech, 0, b.audioLen));
    }
}
