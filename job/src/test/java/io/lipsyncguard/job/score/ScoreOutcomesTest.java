package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

/** Each window sent to the model is counted once, as scored, failed or timed out, whatever order things happen in. */
class ScoreOutcomesTest {

    @Test
    void aBatchThatFinishesAfterTheTimeoutCountsAsTheTimeoutOnly() {
        SimpleCounter scored = new SimpleCounter();
        SimpleCounter failed = new SimpleCounter();
        SimpleCounter timedOut = new SimpleCounter();
        ScoreOutcomes o = new ScoreOutcomes(scored, failed, timedOut);
        Object fast = new Object();
        Object slow = new Object();
        Object broken = new Object();
        Object nan = new Object();
        o.started(fast);
        o.started(slow);
        o.started(broken);
        o.started(nan);
        assertThat(o.inFlight()).isEqualTo(4);
        assertThat(o.answered(fast, true)).isTrue();
        assertThat(o.timedOut(slow)).as("still open: Flink's TIMEOUT is the one to send").isTrue();
        // the slow window's batch comes back after its TIMEOUT went out: neither counted nor sent
        assertThat(o.answered(slow, true)).isFalse();
        assertThat(o.answered(broken, false)).isTrue();
        assertThat(o.answered(nan, false)).isTrue();
        // the timer fired as the answer came: the answer, counted, completes the request, and the timeout sends nothing
        assertThat(o.timedOut(nan)).isFalse();
        assertThat(scored.getCount()).isEqualTo(1);
        assertThat(failed.getCount()).isEqualTo(2);
        assertThat(timedOut.getCount()).isEqualTo(1);
        assertThat(o.inFlight()).isZero();
    }

    @Test
    void requestsAreTheirOwnIdentityNotEqualOnes() {
        SimpleCounter scored = new SimpleCounter();
        ScoreOutcomes o = new ScoreOutcomes(scored, new SimpleCounter(), new SimpleCounter());
        String a = new String("same");
        String b = new String("same");
        o.started(a);
        assertThat(o.answered(b, true)).as("an equal but other request").isFalse();
        assertThat(o.answered(a, true)).isTrue();
        assertThat(scored.getCount()).isEqualTo(1);
    }
}
