package io.lipsyncguard.job.eval;

import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Label;
import io.lipsyncguard.job.verdict.VerdictAggregator;
import io.lipsyncguard.job.verdict.VerdictPolicy;
import io.lipsyncguard.job.verdict.VideoAggregate;
import java.util.List;

/**
 * How a video's verdict would come out on each run of {@code n} consecutive scored windows of it alone, with the same
 * decision policy: for in-sync videos, the false alarms a short clip or an early ROLLING verdict meets.
 *
 * @param runs runs of n consecutive scored windows
 * @param fake runs whose verdict is FAKE
 * @param avOffset runs that are FAKE through the offset limits
 * @param uncertain runs whose verdict is UNCERTAIN
 */
public record StretchReliability(int runs, int fake, int avOffset, int uncertain) {

    /** Adds the counts of another video. */
    public StretchReliability plus(StretchReliability o) {
        return new StretchReliability(runs + o.runs, fake + o.fake, avOffset + o.avOffset, uncertain + o.uncertain);
    }

    /** The runs of {@code n} of {@code scored} (a video's scored windows in index order). */
    public static StretchReliability of(List<ScoredWindow> scored, int n, DecisionPolicy policy) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1 but is " + n);
        }
        int runs = 0;
        int fake = 0;
        int avOffset = 0;
        int uncertain = 0;
        for (int start = 0; start + n <= scored.size(); start++) {
            VideoAggregate a = new VideoAggregate();
            for (ScoredWindow w : scored.subList(start, start + n)) {
                VerdictAggregator.add(a, w, policy);
            }
            VerdictPolicy.Decision d = VerdictPolicy.decide(a, policy);
            runs++;
            fake += d.label() == Label.FAKE ? 1 : 0;
            avOffset += d.reasons().contains("av-offset") ? 1 : 0;
            uncertain += d.label() == Label.UNCERTAIN ? 1 : 0;
        }
        return new StretchReliability(runs, fake, avOffset, uncertain);
    }
}
