package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.models.ModelManifest;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Grid slots that fall between two decodes (a frame dropped at a chunk boundary, a slow source whose chunks start
 * between slots) are bridged as one decode bridges them, not left black and faceless inside a window.
 */
class ChunkBoundaryGapTest {

    static WindowSpec spec;

    @BeforeAll
    static void specs() {
        spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
    }

    /** Frames [first, first + n) of one grey level, with or without a face. */
    static MediaFeatures frames(long first, int n, int grey, boolean face) {
        byte[] crops = new byte[n * spec.cropPixels()];
        Arrays.fill(crops, (byte) grey);
        boolean[] found = new boolean[n];
        Arrays.fill(found, face);
        byte[] count = new byte[n];
        Arrays.fill(count, (byte) (face ? 1 : 0));
        return new MediaFeatures(0, first, n, face ? crops : new byte[n * spec.cropPixels()], found, count, 0,
                new float[0], true, false, 320, 320, 25, n, true);
    }

    static int grey(VideoBuffer b, long frame) {
        return b.crops[(int) (frame - b.cropBase) * spec.cropPixels()] & 0xFF;
    }

    static boolean face(VideoBuffer b, long frame) {
        return b.face[(int) (frame - b.cropBase)];
    }

    @Test
    void aSlotDroppedBetweenTwoChunksIsTheBlendOfItsNeighbours() {
        VideoBuffer b = new VideoBuffer();
        WindowCutter.append(b, frames(0, 50, 100, true), spec);
        WindowCutter.append(b, frames(51, 50, 200, true), spec);
        assertThat(b.videoFrames()).isEqualTo(101);
        assertThat(grey(b, 50)).isEqualTo(150);
        assertThat(face(b, 50)).isTrue();
        assertThat(b.faceFrames).as("every slot has a face, as in one decode").isEqualTo(101);
    }

    @Test
    void withAFaceOnOneSideOnlyTheNearerFrameGivesCropAndEvidence() {
        VideoBuffer b = new VideoBuffer();
        WindowCutter.append(b, frames(0, 50, 100, true), spec);
        WindowCutter.append(b, frames(52, 50, 200, false), spec);
        assertThat(grey(b, 50)).isEqualTo(100);
        assertThat(face(b, 50)).isTrue();
        assertThat(grey(b, 51)).isZero();
        assertThat(face(b, 51)).isFalse();
        assertThat(b.faceFrames).isEqualTo(51);
    }

    @Test
    void aLongerGapIsLostFramesAndStaysEmpty() {
        VideoBuffer b = new VideoBuffer();
        WindowCutter.append(b, frames(0, 50, 100, true), spec);
        // frames 49 and 56 lie 280 ms apart at 25 fps: more than one decode blends across
        long first = 50 + io.lipsyncguard.job.media.MediaFeatureExtractor.BLEND_GAPS_UP_TO_US * spec.fps() / 1_000_000;
        WindowCutter.append(b, frames(first, 50, 200, true), spec);
        for (long f = 50; f < first; f++) {
            assertThat(face(b, f)).as("slot %d", f).isFalse();
            assertThat(grey(b, f)).isZero();
        }
        assertThat(b.faceFrames).isEqualTo(100);
    }

    @Test
    void anOverlappingChunkDoesNotReplaceTheLipsOfFramesWhoseSoundIsAlreadyInTheMel() {
        VideoBuffer b = new VideoBuffer();
        int spf = spec.samplesPerFrame();
        float[][] bank = io.lipsyncguard.job.media.LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(),
                spec.fMin(), spec.fMax());
        MediaFeatures first = frames(0, 100, 100, true);
        WindowCutter.append(b, withAudio(first, 0, io.lipsyncguard.job.sample.TalkingHeadGenerator.speechAudio(1,
                4, spec.sampleRate())), spec);
        WindowCutter.computeMel(b, spec, bank, false);
        long frontier = b.melBase + b.melFrames;
        assertThat(frontier).as("the mel reaches into the overlap").isBetween(91L, 100L);
        // the next chunk steps back 10 frames (0.4 s) with other pictures and other sound
        MediaFeatures second = frames(90, 60, 200, true);
        WindowCutter.append(b, withAudio(second, 90L * spf, io.lipsyncguard.job.sample.TalkingHeadGenerator
                .speechAudio(2, 2.4, spec.sampleRate())), spec);
        for (long f = 90; f < 150; f++) {
            assertThat(grey(b, f)).as("frame %d", f).isEqualTo(f < frontier ? 100 : 200);
        }
        assertThat(b.faceFrames).as("overlapped frames are counted once").isEqualTo(150);
    }

    static MediaFeatures withAudio(MediaFeatures m, long startSample, float[] audio) {
        return new MediaFeatures(m.originUs(), m.firstFrame(), m.frameCount(), m.crops(), m.faceFound(),
                m.faceCount(), startSample, audio, true, true, 320, 320, 25, m.frameCount(), true);
    }
}
