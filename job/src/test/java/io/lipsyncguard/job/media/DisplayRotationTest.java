package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.ModelManifest;
import java.nio.file.Path;
import org.bytedeco.opencv.global.opencv_core;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sideways-stored (phone) video is turned upright before faces are searched, as a player shows it. */
class DisplayRotationTest {

    @TempDir
    Path tmp;

    @Test
    void quarterTurnsMapToOpenCvRotations() {
        assertThat(DisplayRotation.rotateCode(0)).isEqualTo(-1);
        assertThat(DisplayRotation.rotateCode(90)).isEqualTo(opencv_core.ROTATE_90_COUNTERCLOCKWISE);
        assertThat(DisplayRotation.rotateCode(-270)).isEqualTo(opencv_core.ROTATE_90_COUNTERCLOCKWISE);
        assertThat(DisplayRotation.rotateCode(-90)).isEqualTo(opencv_core.ROTATE_90_CLOCKWISE);
        assertThat(DisplayRotation.rotateCode(270)).isEqualTo(opencv_core.ROTATE_90_CLOCKWISE);
        assertThat(DisplayRotation.rotateCode(180)).isEqualTo(opencv_core.ROTATE_180);
        assertThat(DisplayRotation.rotateCode(-180)).isEqualTo(opencv_core.ROTATE_180);
        assertThat(DisplayRotation.rotateCode(359.6)).isEqualTo(-1);
        assertThat(DisplayRotation.rotateCode(Double.NaN)).isEqualTo(-1);
    }

    @Test
    void aPhoneStyleClipFindsTheFaceInItsUprightPicture() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(41, 3));
        Path phone = tmp.resolve("phone.mp4");
        FfmpegTool.storeSideways(clip, phone);
        MediaSpec media = media();
        MediaFeatures upright = MediaFeatureExtractor.extract(clip, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        MediaFeatures turned = MediaFeatureExtractor.extract(phone, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        assertThat(faceRate(upright)).isGreaterThan(0.9);
        assertThat(faceRate(turned)).as("faces in the phone copy").isGreaterThan(0.9);
        assertThat(turned.frameCount()).isEqualTo(upright.frameCount());
        // the mouth crops look alike: same picture, re-encoded once
        double diff = 0;
        for (int i = 0; i < upright.crops().length; i++) {
            diff += Math.abs((upright.crops()[i] & 0xff) - (turned.crops()[i] & 0xff));
        }
        assertThat(diff / upright.crops().length).isLessThan(12.0);
    }

    @Test
    void aSidewaysClipWhoseRotationWasLostIsSearchedTurned() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(42, 5));
        Path sideways = tmp.resolve("sideways.mp4");
        FfmpegTool.turnSideways(clip, sideways);
        MediaSpec media = media();
        MediaFeatures upright = MediaFeatureExtractor.extract(clip, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        FaceTrackState track = new FaceTrackState();
        MediaFeatures turned = MediaFeatureExtractor.extract(sideways, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA,
                0L, track);
        assertThat(track.orientation).isEqualTo(opencv_core.ROTATE_90_COUNTERCLOCKWISE);
        // the first searches (five frames apart while no face is tracked) settle the turn; from then on the face is
        // found as in the original
        int from = 0;
        while (from < turned.frameCount() && !turned.faceFound()[from]) {
            from++;
        }
        assertThat(from).isLessThanOrEqualTo(5 * SegmentedDecode.ORIENTATION_SEARCHES + 5);
        for (int i = from; i < upright.frameCount(); i++) {
            assertThat(turned.faceFound()[i]).as("face in frame %d", i).isTrue();
        }
        // the same mouth: its motion (mean change of the crop from frame to frame) follows the original's, though the
        // box, found later, need not sit on the same pixels
        double[] a = motion(upright, media.cropPixels(), from + 1);
        double[] b = motion(turned, media.cropPixels(), from + 1);
        assertThat(correlation(a, b)).isGreaterThan(0.8);
    }

    static double[] motion(MediaFeatures f, int px, int from) {
        double[] m = new double[f.frameCount() - from];
        for (int t = from; t < f.frameCount(); t++) {
            double sum = 0;
            for (int i = 0; i < px; i++) {
                sum += Math.abs((f.crops()[t * px + i] & 0xff) - (f.crops()[(t - 1) * px + i] & 0xff));
            }
            m[t - from] = sum / px;
        }
        return m;
    }

    static double correlation(double[] a, double[] b) {
        double ma = java.util.Arrays.stream(a).average().orElse(0);
        double mb = java.util.Arrays.stream(b).average().orElse(0);
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.sqrt(aa * bb + 1e-12);
    }

    @Test
    void aFacelessClipIsNotTurned() throws Exception {
        Path clip = tmp.resolve("noface.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.noFace(43, 6));
        MediaSpec media = media();
        FaceTrackState track = new FaceTrackState();
        MediaFeatures f = MediaFeatureExtractor.extract(clip, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L,
                track);
        assertThat(track.orientation).isEqualTo(-1);
        assertThat(track.orientationSearches).isEqualTo(SegmentedDecode.ORIENTATION_SEARCHES);
        assertThat(faceRate(f)).isZero();
    }

    @Test
    void aTurnIsAdoptedOnlyWhenItClearlyWins() {
        int n = SegmentedDecode.ORIENTATION_SEARCHES;
        assertThat(SegmentedDecode.orientation(0, n, 0, n)).isEqualTo(opencv_core.ROTATE_90_CLOCKWISE);
        assertThat(SegmentedDecode.orientation(n / 2, 0, n - 1, n)).isEqualTo(opencv_core.ROTATE_90_COUNTERCLOCKWISE);
        assertThat(SegmentedDecode.orientation(n, n, 0, n)).as("upright faces too").isEqualTo(-1);
        assertThat(SegmentedDecode.orientation(0, n - 2, 0, n)).as("not often enough").isEqualTo(-1);
        assertThat(SegmentedDecode.orientation(0, n, n, n)).as("both turns").isEqualTo(-1);
        assertThat(SegmentedDecode.orientation(0, 0, 0, n)).as("no face anywhere").isEqualTo(-1);
    }

    @Test
    void anAdoptedTurnThatStopsFindingFacesIsDropped() {
        FaceTrackState t = new FaceTrackState();
        t.turnedSearch(false, 3);
        assertThat(t.orientation).as("nothing adopted, nothing to drop").isEqualTo(-1);
        t.orientation = opencv_core.ROTATE_90_CLOCKWISE;
        t.orientationSearches = SegmentedDecode.ORIENTATION_SEARCHES;
        t.clockwiseHits = 6;
        t.turnedSearch(false, 3);
        t.turnedSearch(false, 3);
        t.turnedSearch(true, 3); // a face again: the count starts over
        t.turnedSearch(false, 3);
        t.turnedSearch(false, 3);
        assertThat(t.orientation).isEqualTo(opencv_core.ROTATE_90_CLOCKWISE);
        assertThat(t.turnedSearch(false, 3)).isTrue();
        assertThat(t.orientation).isEqualTo(-1);
        assertThat(t.orientationSearches).as("searched for anew").isZero();
        assertThat(t.clockwiseHits).isZero();
    }

    /** The default model's media settings, as the job's decoder has them. */
    static MediaSpec media() {
        return WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest())).mediaSpec(5, 320);
    }

    static double faceRate(MediaFeatures f) {
        int n = 0;
        for (boolean b : f.faceFound()) {
            n += b ? 1 : 0;
        }
        return (double) n / f.faceFound().length;
    }
}
