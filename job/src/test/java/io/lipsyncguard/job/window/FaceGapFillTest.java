package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.models.ModelManifest;
import io.lipsyncguard.models.SyncBaselineModelBuilder;
import io.lipsyncguard.models.SyncBaselineReference;
import io.lipsyncguard.models.SyncBaselineSpec;
import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A window's frames without a face get crops from the face frames around them instead of black. */
class FaceGapFillTest {

    static final int PX = 4;

    /** Frames of one grey level each ({@code -1}: a frame without a face, an all-zero crop). */
    static byte[] crops(int... greys) {
        byte[] out = new byte[greys.length * PX];
        for (int i = 0; i < greys.length; i++) {
            Arrays.fill(out, i * PX, (i + 1) * PX, (byte) Math.max(0, greys[i]));
        }
        return out;
    }

    static boolean[] faces(int... greys) {
        boolean[] out = new boolean[greys.length];
        for (int i = 0; i < greys.length; i++) {
            out[i] = greys[i] >= 0;
        }
        return out;
    }

    static int[] greys(byte[] crops) {
        int[] out = new int[crops.length / PX];
        for (int i = 0; i < out.length; i++) {
            for (int p = 1; p < PX; p++) {
                assertThat(crops[i * PX + p]).as("frame %d is one grey level", i).isEqualTo(crops[i * PX]);
            }
            out[i] = crops[i * PX] & 0xFF;
        }
        return out;
    }

    static int[] filled(int... greys) {
        byte[] c = crops(greys);
        WindowCutter.fillFaceGaps(c, faces(greys), 0, greys.length, PX);
        return greys(c);
    }

    @Test
    void framesBetweenTwoFacesAreTheirBlendByDistance() {
        assertThat(filled(100, -1, -1, -1, 200, 210)).containsExactly(100, 125, 150, 175, 200, 210);
    }

    @Test
    void framesAtTheWindowsEdgesHoldTheNearestFace() {
        assertThat(filled(-1, -1, 90, 100, -1, -1)).containsExactly(90, 90, 90, 100, 100, 100);
    }

    @Test
    void aWindowWithoutAnyFaceAndOneWithOnlyFacesAreLeftAsTheyAre() {
        assertThat(filled(-1, -1, -1)).containsExactly(0, 0, 0);
        assertThat(filled(10, 20, 30)).containsExactly(10, 20, 30);
    }

    @Test
    void onlyTheWindowsOwnFramesOfTheBufferAreRead() {
        // buffer frames 0..1 lie before the window (c0 = 2): a face there must not fill the window's leading gap
        int[] buffer = {70, 80, -1, -1, 120, 130};
        byte[] window = Arrays.copyOfRange(crops(buffer), 2 * PX, 6 * PX);
        WindowCutter.fillFaceGaps(window, faces(buffer), 2, 4, PX);
        assertThat(greys(window)).containsExactly(120, 120, 120, 130);
    }

    /**
     * Why: a mouth that follows the loudness exactly, with the face lost for 8 frames (16 %, under the face gate).
     * Black crops make the jumps into and out of the gap the window's largest motion and pull the lag curve away from
     * the true lag; the filled window keeps it.
     */
    @Test
    void aLostFaceNoLongerDecidesTheLagCurve() {
        SyncBaselineSpec model = SyncBaselineModelBuilder.fromManifest(
                ModelManifest.readValid(ModelPaths.defaultManifest()));
        int t = model.windowFrames();
        int k = model.offsetMarginFrames();
        int hw = model.height() * model.width();
        SplittableRandom rnd = new SplittableRandom(7);
        double[] level = new double[model.paddedFrames()];
        for (int p = 0; p < level.length; p++) {
            level[p] = p % 5 == 0 || p % 7 == 0 ? rnd.nextDouble(0.6, 1) : rnd.nextDouble(0, 0.3);
        }
        float[] audio = new float[model.audioFrames() * model.nMels()];
        for (int p = 0; p < level.length; p++) {
            Arrays.fill(audio, p * model.melFramesPerVideoFrame() * model.nMels(),
                    (p + 1) * model.melFramesPerVideoFrame() * model.nMels(), (float) (3 * level[p]));
        }
        byte[] crops = new byte[t * hw];
        boolean[] face = new boolean[t];
        for (int f = 0; f < t; f++) {
            face[f] = f < 20 || f >= 28;
            if (face[f]) {
                // window frame f is padded frame f + K: opened with the loudness there, by a few grey levels as a real mouth crop changes
                Arrays.fill(crops, f * hw, (f + 1) * hw, (byte) Math.round(110 + 12 * level[f + k]));
            }
        }
        SyncBaselineReference.Result black = SyncBaselineReference.score(unit(crops), audio, model);
        WindowCutter.fillFaceGaps(crops, face, 0, t, hw);
        SyncBaselineReference.Result filled = SyncBaselineReference.score(unit(crops), audio, model);

        assertThat(filled.offsetFrames()).isZero();
        assertThat(filled.curve()[k]).isGreaterThan(0.6f);
        assertThat(black.curve()[k]).as("black crops: lag 0 of %s", Arrays.toString(black.curve()))
                .isLessThan(filled.curve()[k] - 0.3f);
    }

    static float[] unit(byte[] crops) {
        float[] out = new float[crops.length];
        for (int i = 0; i < crops.length; i++) {
            out[i] = (crops[i] & 0xFF) / 255f;
        }
        return out;
    }

    @Test
    void cutWindowsCarryFilledCropsAndStillCountTheFramesWithoutAFace() {
        WindowSpec spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        int frames = 100;
        int px = spec.cropPixels();
        byte[] crops = new byte[frames * px];
        boolean[] face = new boolean[frames];
        for (int f = 0; f < frames; f++) {
            face[f] = f < 30 || f >= 35;
            if (face[f]) {
                Arrays.fill(crops, f * px, (f + 1) * px, (byte) (100 + f % 7));
            }
        }
        MediaFeatures m = new MediaFeatures(0, 0, frames, crops, face, new byte[frames], 0,
                TalkingHeadGenerator.speechAudio(3, frames / 25.0, spec.sampleRate()), true, true, 320, 320, 25,
                frames, true);
        VideoBuffer b = new VideoBuffer();
        WindowCutter.append(b, m, spec);
        WindowCutter.computeMel(b, spec, LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(),
                spec.fMax()), true);
        List<AvWindow> windows = WindowCutter.cut(b, spec, "v");
        assertThat(windows).isNotEmpty();
        for (AvWindow w : windows) {
            long first = w.startMs() / 40;
            long lost = Math.max(0, Math.min(35, first + spec.windowFrames()) - Math.max(30, first));
            assertThat(w.faceFraction()).as("window %d", w.index())
                    .isEqualTo((double) (spec.windowFrames() - lost) / spec.windowFrames());
            for (int f = 0; f < spec.windowFrames(); f++) {
                assertThat(w.crops()[f * px] & 0xFF).as("window %d frame %d", w.index(), f).isGreaterThanOrEqualTo(100);
            }
        }
        assertThat(windows).anyMatch(w -> w.faceFraction() < 1);
    }
}
