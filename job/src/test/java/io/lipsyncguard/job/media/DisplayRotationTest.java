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
        MediaSpec media = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()))
                .mediaSpec(5, 320);
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

    static double faceRate(MediaFeatures f) {
        int n = 0;
        for (boolean b : f.faceFound()) {
            n += b ? 1 : 0;
        }
        return (double) n / f.faceFound().length;
    }
}
