package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.media.SpeechActivity;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.models.ModelManifest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Windows whose audio span reaches a stretch of digital silence say how much of it they hold. */
class AudioDropoutTest {

    /** A decode of {@code frames} frames with a face in every one (random crops from {@code seed}) and {@code audio}. */
    static MediaFeatures faceThroughout(WindowSpec spec, int frames, float[] audio, long seed) {
        byte[] crops = new byte[frames * spec.cropPixels()];
        new Random(seed).nextBytes(crops);
        boolean[] face = new boolean[frames];
        Arrays.fill(face, true);
        return new MediaFeatures(0, 0, frames, crops, face, new byte[frames], 0, audio, true, true, 320, 320, 25,
                frames, true);
    }

    @Test
    void windowsReachingADropoutCarryItsShareAndTheOthersNone() {
        WindowSpec spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        int frames = 300; // 12 s
        int spf = spec.samplesPerFrame();
        float[] audio = TalkingHeadGenerator.speechAudio(3, frames / 25.0, spec.sampleRate());
        int from = 150 * spf; // 6 s .. 7 s muted to exact zeros, as a dropout leaves it
        int to = 175 * spf;
        Arrays.fill(audio, from, to, 0f);
        MediaFeatures m = faceThroughout(spec, frames, audio, 1);
        VideoBuffer b = new VideoBuffer();
        WindowCutter.append(b, m, spec);
        WindowCutter.computeMel(b, spec, LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(),
                spec.fMax()), true);
        List<AvWindow> windows = WindowCutter.cut(b, spec, "v");
        assertThat(windows).isNotEmpty();
        int k = spec.marginFrames();
        for (AvWindow w : windows) {
            long first = w.startMs() / 40 - k; // the audio span: the window and K frames either side
            long end = w.endMs() / 40 + k;
            long overlap = Math.max(0, Math.min(end, 175) - Math.max(first, 150));
            double share = (double) overlap / (end - first);
            assertThat(w.dropoutFraction()).as("window %d", w.index()).isCloseTo(share, org.assertj.core.data.Offset
                    .offset(1.0 / (end - first) + 1e-9));
        }
        assertThat(windows).anyMatch(w -> w.dropoutFraction() == 0).anyMatch(w -> w.dropoutFraction() > 0);
    }

    @Test
    void aBufferFromStateWithoutALevelHistogramCutsTheSameWindows() {
        WindowSpec spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        int frames = 150;
        float[] audio = TalkingHeadGenerator.speechAudio(5, frames / 25.0, spec.sampleRate());
        MediaFeatures m = faceThroughout(spec, frames, audio, 2);
        float[][] filterbank = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(),
                spec.fMax());
        List<List<AvWindow>> cuts = new java.util.ArrayList<>();
        for (boolean restoredFromOldState : new boolean[] {false, true}) {
            VideoBuffer b = new VideoBuffer();
            if (restoredFromOldState) {
                b.levelHistogram = null; // what the POJO serializer leaves for a field the snapshot did not have
            }
            WindowCutter.append(b, m, spec);
            WindowCutter.computeMel(b, spec, filterbank, true);
            cuts.add(WindowCutter.cut(b, spec, "v"));
            assertThat(b.levelHistogram).hasSize(SpeechActivity.HISTOGRAM_BINS);
        }
        assertThat(cuts.get(1)).isNotEmpty().isEqualTo(cuts.get(0));
    }
}
