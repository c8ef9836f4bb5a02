package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.MediaFeatureExtractor;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.media.MediaSpec;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.models.ModelManifest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Windows cut from a video fed chunk by chunk equal those cut from the same bytes in one piece. */
class ChunkedWindowsTest {

    @TempDir
    Path tmp;

    @Test
    void chunkBoundariesDoNotChangeWindows() throws Exception {
        WindowSpec spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        MediaSpec media = spec.mediaSpec(5, 320);
        float[][] fb = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(), spec.fMax());
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(21, 8));
        List<Path> chunks = FfmpegTool.segment(clip, tmp.resolve("chunks"), 1.0, "ts");
        assertThat(chunks).hasSizeGreaterThanOrEqualTo(6);

        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Path c : chunks) {
            all.write(Files.readAllBytes(c));
        }
        VideoBuffer whole = new VideoBuffer();
        WindowCutter.append(whole, MediaFeatureExtractor.extract(all.toByteArray(), "mpegts", media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA), spec);
        WindowCutter.computeMel(whole, spec, fb, true);
        List<AvWindow> expected = WindowCutter.cut(whole, spec, "v");

        VideoBuffer b = new VideoBuffer();
        List<AvWindow> actual = new ArrayList<>();
        int cutBeforeEnd = 0;
        for (Path c : chunks) {
            long origin = b.originUs == Long.MIN_VALUE ? MediaFeatureExtractor.ORIGIN_FROM_MEDIA : b.originUs;
            MediaFeatures f = MediaFeatureExtractor.extract(Files.readAllBytes(c), "mpegts", media, origin);
            WindowCutter.append(b, f, spec);
            WindowCutter.computeMel(b, spec, fb, false);
            actual.addAll(WindowCutter.cut(b, spec, "v"));
            cutBeforeEnd = actual.size();
        }
        WindowCutter.computeMel(b, spec, fb, true);
        actual.addAll(WindowCutter.cut(b, spec, "v"));

        assertThat(expected).hasSize(spec.windowsIn(whole.videoFrames));
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(cutBeforeEnd).as("windows are cut as chunks arrive, not only at the end").isGreaterThan(0);
        // the buffer holds a bounded tail, not the whole video
        assertThat(b.cropFrames).isLessThan(spec.spanFrames() + spec.strideFrames() + 30);
        for (int i = 0; i < expected.size(); i++) {
            AvWindow e = expected.get(i);
            AvWindow a = actual.get(i);
            assertThat(a.startMs()).isEqualTo(e.startMs());
            assertThat(a.crops()).as("crops of window %d", i).isEqualTo(e.crops());
            assertThat(a.faceFraction()).isEqualTo(e.faceFraction());
            // AAC restarts its decoder at each chunk: only the first few ms after a boundary may differ slightly
            assertThat(meanAbsDiff(a.audio(), e.audio())).as("audio of window %d", i).isLessThan(0.05);
        }
    }

    static double meanAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }
}
