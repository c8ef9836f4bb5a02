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

    /** A track of {@code n} frames: one in four at {@code loudDbfs}, the rest 20 dB quieter (speech and its pauses). */
    static long[] track(int n, float loudDbfs) {
        float[] levels = new float[n];
        for (int f = 0; f < n; f++) {
            levels[f] = f % 4 == 0 ? loudDbfs : loudDbfs - 20;
        }
        long[] histogram = new long[SpeechActivity.HISTOGRAM_BINS];
        SpeechActivity.histogram(histogram, levels);
        return histogram;
    }

    @Test
    void aQuietRecordingsSpeechGateFollowsItsLevel() {
        // speech peaking at -20 dBFS, as the real clips do: the model's gate exactly
        assertThat(SpeechActivity.threshold(track(500, -20f), -45)).isEqualTo(-45.0);
        // 5 dB quieter: still the model's gate (a decibel moved would move windows at the margin)
        assertThat(SpeechActivity.threshold(track(500, -25f), -45)).isEqualTo(-45.0);
        // 12 and 15 dB quieter: 25 dB below its loud frames (the centre of their 1 dB bin)
        assertThat(SpeechActivity.threshold(track(500, -32f), -45)).isEqualTo(-56.5, offset(1e-9));
        assertThat(SpeechActivity.threshold(track(500, -35f), -45)).isEqualTo(-59.5, offset(1e-9));
        // never down into room tone
        assertThat(SpeechActivity.threshold(track(500, -50f), -45)).isEqualTo(SpeechActivity.QUIETEST_THRESHOLD_DBFS);
        // no histogram at all (state from before it was kept): the model's gate
        assertThat(SpeechActivity.threshold(null, -45)).isEqualTo(-45.0);
        // too little sound yet to know the track's level
        assertThat(SpeechActivity.threshold(track(40, -44f), -45)).isEqualTo(-45.0);
        // a loud track never raises the gate
        assertThat(SpeechActivity.threshold(track(500, -3f), -45)).isEqualTo(-45.0);
        // frames at or below the quietest gate are not counted at all
        assertThat(java.util.Arrays.stream(track(500, -61f)).sum()).isZero();
    }
}
