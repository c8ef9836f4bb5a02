package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** Per-frame speech levels and flags on generated signals. */
class SpeechActivityTest {

    @Test
    void levelsPerFrameFollowTheSignalAndFlagSpeech() {
        int spf = 640;
        float[] audio = new float[spf * 10];
        for (int i = spf * 4; i < spf * 6; i++) {
            audio[i] = (float) (0.1 * Math.sin(2 * Math.PI * 200 * i / 16000.0));
        }
        float[] db = SpeechActivity.dbfs(audio, 0, 10, spf);
        assertThat((double) db[0]).isEqualTo(-120.0, offset(1e-3));
        // a sine of amplitude 0.1 has RMS 0.0707 = -23 dBFS
        assertThat((double) db[4]).isCloseTo(-23.0, offset(0.2));
        assertThat(SpeechActivity.active(db[4], SpeechActivity.DEFAULT_THRESHOLD_DBFS)).isTrue();
        assertThat(SpeechActivity.active(db[7], SpeechActivity.DEFAULT_THRESHOLD_DBFS)).isFalse();
        assertThat(SpeechActivity.activeFraction(db, 0, 10, -45)).isEqualTo(0.2);
    }

    @Test
    void samplesOutsideTheArrayReadAsSilence() {
        float[] audio = new float[640];
        java.util.Arrays.fill(audio, 0.5f);
        float[] db = SpeechActivity.dbfs(audio, -640, 3, 640);
        assertThat(db[0]).isEqualTo(-120f);
        assertThat((double) db[1]).isCloseTo(20 * Math.log10(0.5), offset(1e-3));
        assertThat(db[2]).isEqualTo(-120f);
    }
}
