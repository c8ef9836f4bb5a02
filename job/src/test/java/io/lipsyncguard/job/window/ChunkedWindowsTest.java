package io.lipsyncguard.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.media.FaceTrackState;
import io.lipsyncguard.job.media.FfmpegTool;
import io.lipsyncguard.job.media.LogMel;
import io.lipsyncguard.job.media.MediaFeatureExtractor;
import io.lipsyncguard.job.media.MediaFeatures;
import io.lipsyncguard.job.media.MediaSpec;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.score.OfflineScorer;
import io.lipsyncguard.job.score.WindowResult;
import io.lipsyncguard.models.Device;
import io.lipsyncguard.models.LoadedModel;
import io.lipsyncguard.models.ModelLoader;
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
        FaceTrackState track = new FaceTrackState();
        for (Path c : chunks) {
            long origin = b.originUs == Long.MIN_VALUE ? MediaFeatureExtractor.ORIGIN_FROM_MEDIA : b.originUs;
            MediaFeatures f = MediaFeatureExtractor.extract(Files.readAllBytes(c), "mpegts", media, origin, 0L,
                    track);
            WindowCutter.append(b, f, spec);
            WindowCutter.computeMel(b, spec, fb, false);
            actual.addAll(WindowCutter.cut(b, spec, "v"));
            cutBeforeEnd = actual.size();
        }
        WindowCutter.computeMel(b, spec, fb, true);
        actual.addAll(WindowCutter.cut(b, spec, "v"));

        assertThat(expected).hasSize(spec.windowsIn(whole.videoFrames()));
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
            assertThat(a.speechFraction()).isCloseTo(e.speechFraction(), org.assertj.core.data.Offset.offset(0.05));
        }
        // AAC restarts its decoder at each chunk, so samples right after a boundary differ slightly (and a log of
        // near-silence magnifies that): the test is that the model sees the same thing, not bit equality
        try (LoadedModel model = ModelLoader.load(ModelPaths.defaultManifest(), Device.CPU)) {
            List<WindowResult> re = OfflineScorer.scoreAll(expected, model, 16);
            List<WindowResult> ra = OfflineScorer.scoreAll(actual, model, 16);
            for (int i = 0; i < re.size(); i++) {
                System.out.printf("window %d: whole %.4f/%s chunked %.4f/%s%n", i, re.get(i).score(),
                        re.get(i).offsetFrames(), ra.get(i).score(), ra.get(i).offsetFrames());
                assertThat(ra.get(i).score()).as("score of window %d", i)
                        .isCloseTo(re.get(i).score(), org.assertj.core.data.Offset.offset(0.05));
                assertThat(ra.get(i).offsetFrames()).as("offset of window %d", i).isEqualTo(re.get(i).offsetFrames());
            }
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

    @Test
    void aRenditionSwitchBetweenChunksKeepsTheFace() throws Exception {
        WindowSpec spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        MediaSpec media = spec.mediaSpec(5, 320);
        Path clip = tmp.resolve("abr.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(22, 4));
        // 0.92 s = 23 frames: the switch lands between two detections (every 5th frame), on carried boxes
        List<Path> chunks = FfmpegTool.segment(clip, tmp.resolve("abr-chunks"), 0.92, "ts");
        Path smaller = tmp.resolve("abr-chunks/rendition.ts");
        FfmpegTool.rendition(chunks.get(1), smaller, 180, 180); // the second second at a lower rendition
        FaceTrackState track = new FaceTrackState();
        MediaFeatures first = MediaFeatureExtractor.extract(Files.readAllBytes(chunks.get(0)), "mpegts", media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L, track);
        MediaFeatures switched = MediaFeatureExtractor.extract(Files.readAllBytes(smaller), "mpegts", media,
                first.originUs(), 0L, track);
        MediaFeatures same = MediaFeatureExtractor.extract(Files.readAllBytes(chunks.get(1)), "mpegts", media,
                first.originUs(), 0L, new FaceTrackState());
        assertThat(switched.sourceWidth()).isEqualTo(180);
        assertThat(track.frameWidth).isEqualTo(180);
        for (boolean found : switched.faceFound()) {
            assertThat(found).as("a face in every frame after the switch").isTrue();
        }
        assertThat(switched.firstFrame() % 5).as("the chunk starts between detections").isNotZero();
        // every mouth crop after the switch, the first ones before any detection included, shows what the
        // full-size rendition shows (lower resolution aside)
        int px = spec.cropPixels();
        int frames = Math.min(switched.frameCount(), same.frameCount());
        double[] diff = new double[frames];
        for (int f = 0; f < frames; f++) {
            for (int i = f * px; i < (f + 1) * px; i++) {
                diff[f] += Math.abs((switched.crops()[i] & 0xff) - (same.crops()[i] & 0xff));
            }
            diff[f] /= px;
        }
        int carried = (int) (5 - switched.firstFrame() % 5); // frames before the first detection after the switch
        double[] detected = java.util.Arrays.copyOfRange(diff, carried, frames);
        java.util.Arrays.sort(detected);
        double typical = detected[detected.length / 2];
        System.out.printf("rendition switch: crop differences %s (typical after detection %.1f)%n",
                java.util.Arrays.toString(diff), typical);
        for (int f = 0; f < carried; f++) {
            assertThat(diff[f]).as("mouth crop %d after the switch, before any detection", f)
                    .isLessThan(1.5 * typical + 2);
        }
    }
}
