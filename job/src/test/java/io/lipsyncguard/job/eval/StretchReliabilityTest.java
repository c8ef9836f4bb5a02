package io.lipsyncguard.job.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.lipsyncguard.job.score.ScoreStatus;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.window.WindowKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Verdicts of every run of n consecutive windows, with the real decision policy. */
class StretchReliabilityTest {

    static final DecisionPolicy POLICY = new DecisionPolicy(0.5, 0.1, 3, 25, 15);

    static ScoredWindow window(int i, double score, int lag) {
        float[] curve = new float[31];
        curve[lag + 15] = 1f;
        return new ScoredWindow("v", WindowKind.WINDOW, i, i * 400L, i * 400L + 2000, ScoreStatus.SCORED, score, lag,
                0.5, curve, 1, 1, 0, true, null, 0);
    }

    @Test
    void countsTheRunsAndHowEachCameOut() {
        List<ScoredWindow> video = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            video.add(window(i, 0.1, 0)); // in sync
        }
        for (int i = 6; i < 10; i++) {
            video.add(window(i, 0.1, 8)); // 320 ms late: beyond the 200 ms limit once most of a run holds it
        }
        StretchReliability threes = StretchReliability.of(video, 3, POLICY);
        assertThat(threes.runs()).isEqualTo(8);
        // runs starting at 0..4 hold at most one window at +8; those at 5..7 two or three, and their lag wins
        assertThat(threes.avOffset()).isEqualTo(threes.fake()).isEqualTo(3);
        assertThat(threes.uncertain()).isZero();
        assertThat(StretchReliability.of(video, 10, POLICY).runs()).isEqualTo(1);
        assertThat(StretchReliability.of(video, 11, POLICY).runs()).isZero();
        assertThat(threes.plus(threes).runs()).isEqualTo(16);
    }
}
