package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Face choice, smoothing, mouth region and face square as pure functions on boxes. */
class FaceTrackTest {

    @Test
    void dominantIsLargestUnlessTheTrackedFaceIsClose() {
        float[] small = {10, 10, 50, 50};
        float[] big = {200, 10, 60, 60};
        assertThat(FaceTrack.dominant(List.of(small, big), null)).isEqualTo(1);
        // the tracked face keeps the track against a newcomer less than 1.5x its area
        assertThat(FaceTrack.dominant(List.of(small, big), new float[] {12, 12, 50, 50})).isEqualTo(0);
        assertThat(FaceTrack.dominant(List.of(small, new float[] {200, 10, 100, 100}), small)).isEqualTo(1);
        assertThat(FaceTrack.dominant(List.of(), null)).isEqualTo(-1);
    }

    @Test
    void similarSizedCountsSecondSpeakersOnly() {
        assertThat(FaceTrack.similarSized(List.of(new float[] {0, 0, 100, 100}, new float[] {0, 0, 80, 80})))
                .isEqualTo(2);
        assertThat(FaceTrack.similarSized(List.of(new float[] {0, 0, 100, 100}, new float[] {0, 0, 30, 30})))
                .isEqualTo(1);
    }

    @Test
    void smoothingDampsJitterButFollowsCuts() {
        float[] prev = {100, 100, 100, 100};
        float[] s = FaceTrack.smooth(prev, new float[] {130, 100, 100, 100}, 0.5f);
        assertThat(FaceTrack.smooth(prev, new float[] {104, 100, 100, 100}, 0.5f)).isSameAs(prev);
        assertThat(s[0]).isEqualTo(115f);
        float[] cut = FaceTrack.smooth(prev, new float[] {400, 400, 100, 100}, 0.5f);
        assertThat(cut[0]).isEqualTo(400f);
    }

    @Test
    void mouthRegionIsLowerMiddleAndClipped() {
        assertThat(MouthRegion.of(100, 100, 200, 200, 640, 480)).containsExactly(150, 224, 100, 66);
        int[] clipped = MouthRegion.of(-40, 300, 200, 200, 640, 480);
        assertThat(clipped[0]).isEqualTo(10);
        assertThat(clipped[1] + clipped[3]).isEqualTo(480);
        assertThat(MouthRegion.of(0, 478, 10, 10, 640, 480)).isNull();
    }

    @Test
    void theFaceSquareIsCentredOnTheBoxAndClippedToTheFrame() {
        // side 1.3 x 50 = 65, centred on (125, 120)
        assertThat(FaceTrack.square(new float[] {100, 100, 50, 40}, 640, 480)).containsExactly(93, 88, 65, 65);
        // at the corner it is clipped, not shifted: what lies beyond the frame is cut off
        assertThat(FaceTrack.square(new float[] {0, 0, 50, 50}, 640, 480)).containsExactly(0, 0, 58, 58);
        assertThat(FaceTrack.unclippedSquare(new float[] {0, 0, 50, 50})).containsExactly(-7, -7, 65, 65);
        assertThat(FaceTrack.square(new float[] {600, 440, 50, 50}, 640, 480)).containsExactly(593, 433, 47, 47);
        assertThat(FaceTrack.square(new float[] {600, 100, 50, 50}, 640, 480)).containsExactly(593, 93, 47, 65);
    }

    @Test
    void aFaceCropAtTheFramesEdgeStaysSquareWithTheOutsideGrey() {
        // a frame of grey 50 with the face box touching its right edge: the square reaches 18 px beyond it
        try (var frame = new org.bytedeco.opencv.opencv_core.Mat(480, 640,
                org.bytedeco.opencv.global.opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(50, 50, 50, 0));
                var out = new org.bytedeco.opencv.opencv_core.Mat()) {
            MediaSpec spec = new MediaSpec(25, 16_000, 65, 65, 5, 320, true, false);
            byte[] crop = MediaFeatureExtractor.faceCrop(frame, new float[] {600, 100, 50, 50}, spec, out);
            assertThat(crop).hasSize(65 * 65 * 3);
            // row 30: columns 0..46 are the frame, 47..64 the padding (BGR interleaved)
            assertThat(crop[(30 * 65 + 10) * 3] & 0xFF).isEqualTo(50);
            assertThat(crop[(30 * 65 + 60) * 3] & 0xFF).isEqualTo(MediaFeatureExtractor.FACE_PAD_GREY);
            // inside the frame the crop is the frame's pixels as they were, not stretched
            byte[] inside = MediaFeatureExtractor.faceCrop(frame, new float[] {100, 100, 50, 50}, spec, out);
            assertThat(inside[(30 * 65 + 60) * 3] & 0xFF).isEqualTo(50);
        }
    }

    @Test
    void onlyAPictureOfTheSameShapeIsAnotherRenditionOfIt() {
        assertThat(FaceTrack.sameShape(1280, 720, 1920, 1080)).isTrue();
        assertThat(FaceTrack.sameShape(1280, 720, 854, 480)).as("rounded to even sizes").isTrue();
        assertThat(FaceTrack.sameShape(640, 360, 360, 640)).as("turned upright").isFalse();
        assertThat(FaceTrack.sameShape(640, 480, 640, 360)).as("cropped to 16:9").isFalse();
    }

    @Test
    void aBoxFollowsItsPictureToAnotherRendition() {
        assertThat(FaceTrack.rescale(new float[] {100, 50, 200, 220}, 512, 512, 288, 288))
                .containsExactly(56.25f, 28.125f, 112.5f, 123.75f);
        assertThat(FaceTrack.rescale(new float[] {640, 360, 192, 192}, 1280, 720, 1920, 1080))
                .containsExactly(960f, 540f, 288f, 288f);
    }
}
