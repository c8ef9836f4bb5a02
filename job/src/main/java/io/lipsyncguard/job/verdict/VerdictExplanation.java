package io.lipsyncguard.job.verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Deterministic explanation text built only from a verdict's metrics and the model's thresholds: the same metrics
 * always give the same text, and every sentence can be traced to a field. No generative model is involved.
 */
public final class VerdictExplanation {

    /** Segments named in full before the rest are counted. */
    static final int SEGMENTS_NAMED = 3;

    private VerdictExplanation() {}

    /** The explanation of {@code v} (its own {@code explanation} field is ignored). */
    public static String of(Verdict v, DecisionPolicy p) {
        if (v.kind() == VerdictKind.ERROR) {
            return "The video could not be analysed: " + endSentence(v.error());
        }
        List<String> s = new ArrayList<>();
        s.add(headline(v));
        List<String> reasons = v.reasons() == null ? List.of() : Arrays.asList(v.reasons());
        s.add(why(v, p, reasons));
        String offset = offset(v, p);
        if (offset != null) {
            s.add(offset);
        }
        String segments = segments(v);
        if (segments != null) {
            s.add(segments);
        }
        String missing = missing(v);
        if (missing != null) {
            s.add(missing);
        }
        if (reasons.contains("missing-windows")) {
            s.add(missingWindows(v));
        }
        if (reasons.contains("idle")) {
            s.add(String.format(Locale.ROOT, "The stream stopped without its last chunk; this verdict covers the %s "
                    + "that arrived.", duration(v.mediaMs())));
        }
        if (reasons.contains("model-changed")) {
            s.add("The job was restored with a model of another window geometry while the video was live, so the "
                    + "video was closed there; this verdict covers what was scored before.");
        }
        if (v.error() != null) {
            s.add("Some media could not be read: " + endSentence(v.error()));
        }
        return String.join(" ", s);
    }

    static String headline(Verdict v) {
        String kind = v.kind() == VerdictKind.ROLLING ? " so far" : "";
        return String.format(Locale.ROOT, "%s%s with confidence %.2f (%s risk).", v.verdict(), kind, v.confidence(),
                v.risk());
    }

    /** Why a video yields no window, as its reasons say ("the video has no audio track"), or null. */
    static String noWindowCause(List<String> reasons) {
        return reasons.contains("no-audio") ? "the video has no audio track"
                : reasons.contains("too-short") ? "the video is shorter than one analysis window with its audio context"
                : null;
    }

    /** Why the label: the rule that decided, with the numbers it compared. */
    public static String why(Verdict v, DecisionPolicy p, List<String> reasons) {
        WindowCounts c = v.windows();
        if (reasons.contains("insufficient-evidence")) {
            String why = noWindowCause(reasons);
            String cause = why == null ? "" : " " + Character.toUpperCase(why.charAt(0)) + why.substring(1) + ".";
            // not "had a face with speech": a still picture or a dropout has both and is still left out
            return String.format(Locale.ROOT, "Only %d of %d windows had the evidence a score needs (one visible "
                    + "face, speech, unbroken audio, a readable mouth that moves), fewer than the %d needed to "
                    + "decide.%s", c.scored(), c.total(), p.minEvidenceWindows(), cause);
        }
        double score = decisionScore(v);
        if (reasons.contains("early")) {
            return String.format(Locale.ROOT, "Too early to decide: a ROLLING verdict waits for %d scored windows and "
                    + "has %d; on these alone the decision score is %.2f (threshold %.2f).", p.minRollingWindows(),
                    c.scored(), score, p.threshold());
        }
        if (reasons.contains("av-offset") && v.offsetMs() != null) {
            return String.format(Locale.ROOT, "The audio is %.0f ms %s than the lips, at least the %.0f ms that makes a "
                    + "video desynchronised, whatever the window scores (decision score %.2f).",
                    Math.abs(v.offsetMs()), v.offsetMs() > 0 ? "later" : "earlier", p.offsetLimitFor(v.offsetMs()),
                    score);
        }
        if (reasons.contains("localized-manipulation")) {
            Segment longest = VerdictPolicy.longest(v.segments());
            // the policy flags a long run where the whole-video score stays low, or where it does not and the
            // windows disagree: say which, so that the text never calls a high score low
            String whole = VerdictPolicy.belowFakeBandEdge(score, p)
                    ? String.format(Locale.ROOT, "although the whole-video score %.2f stays below %.2f", score,
                            p.threshold() + p.band())
                    : String.format(Locale.ROOT, "and the windows disagree (stability %.2f) around a whole-video "
                            + "score of %.2f", v.stability(), score);
            return String.format(Locale.ROOT, "A contiguous suspicious stretch of %s (%s, mean window score %.2f) is "
                    + "at least the %s that flags a localized manipulation, %s.", duration(longest.durationMs()),
                    range(longest), longest.meanScore(), duration(p.segmentMinMs()), whole);
        }
        if (reasons.contains("windows-disagree")) {
            return String.format(Locale.ROOT, "The windows disagree too much to decide (stability %.2f; the spread of "
                    + "window scores exceeds %.2f).", v.stability(), p.maxWindowStd());
        }
        if (reasons.contains("score-near-threshold")) {
            return String.format(Locale.ROOT, "The decision score %.2f lies inside the uncertain band %.2f-%.2f "
                    + "around the threshold %.2f.", score, p.threshold() - p.band(), p.threshold() + p.band(),
                    p.threshold());
        }
        // a verdict read back from JSON may lack the fields a consumer does not need (the schema allows it)
        if (Double.isNaN(score)) {
            return String.format(Locale.ROOT, "The verdict carries no score to compare with the threshold %.2f.",
                    p.threshold());
        }
        String share = v.misalignment() == null ? ""
                : String.format(Locale.ROOT, "; %.0f%% of the %d scored windows are at or above the threshold",
                        100 * v.misalignment(), c.scored());
        String stability = v.stability() == null ? ""
                : String.format(Locale.ROOT, " (stability %.2f)", v.stability());
        // "at least": a score on the band's edge is decisive
        return String.format(Locale.ROOT, "The decision score %.2f is %s the threshold %.2f by at least the "
                + "uncertain band %.2f%s%s.", score, score >= p.threshold() ? "above" : "below", p.threshold(),
                p.band(), share, stability);
    }

    /** The offset estimate in words, or null without scored windows. */
    public static String offset(Verdict v, DecisionPolicy p) {
        if (v.offsetMs() == null) {
            return null;
        }
        double toleranceMs = p.toleranceFrames() * 1000.0 / p.fps();
        double ms = v.offsetMs();
        String spread = v.offsetSpreadMs() == null ? ""
                : String.format(Locale.ROOT, " (windows spread %.0f ms)", v.offsetSpreadMs());
        // an audio lead inside the model's tolerance can still be past the tighter lead limit (an av-offset FAKE)
        boolean desync = v.reasons() != null && Arrays.asList(v.reasons()).contains("av-offset");
        if (Math.abs(ms) <= toleranceMs && !desync) {
            return String.format(Locale.ROOT, "Audio and lips line up within %.0f ms: estimated offset %+.0f ms%s.",
                    toleranceMs, ms, spread);
        }
        return String.format(Locale.ROOT, "Estimated offset %+.0f ms: the audio is %s than the lips%s.", ms,
                ms > 0 ? "later" : "earlier", spread);
    }

    /** The suspicious segments in words, or null when there are none. */
    public static String segments(Verdict v) {
        if (v.segments() == null || v.segments().length == 0) {
            return null;
        }
        List<String> named = new ArrayList<>();
        for (int i = 0; i < Math.min(SEGMENTS_NAMED, v.segments().length); i++) {
            Segment s = v.segments()[i];
            named.add(String.format(Locale.ROOT, "%s (mean score %.2f)", range(s), s.meanScore()));
        }
        int more = v.segments().length - named.size();
        return "Suspicious segments: " + String.join(", ", named) + (more > 0 ? " and " + more + " more" : "") + ".";
    }

    /** The windows left out of the score and why, or null when every window was scored. */
    public static String missing(Verdict v) {
        WindowCounts c = v.windows();
        List<String> parts = new ArrayList<>();
        add(parts, c.noFace(), "without a face");
        add(parts, c.silent(), "without speech");
        add(parts, c.multiFace(), "with several faces");
        add(parts, c.lowQuality(), "with unreadable mouth crops");
        add(parts, c.audioDropout(), "where the audio drops out to digital silence");
        add(parts, c.frozenPicture(), "where the picture stands still");
        add(parts, c.unscored(), "the model did not score");
        if (parts.isEmpty()) {
            return null;
        }
        return String.format(Locale.ROOT, "Left out of the score: %s (of %d windows).", String.join(", ", parts),
                c.total());
    }

    /** The sentence for {@code missing-windows}: windows cut that never reached the verdict. */
    static String missingWindows(Verdict v) {
        return String.format(Locale.ROOT, "Some windows of the video did not reach this verdict in time; it covers "
                + "the %d that did.", v.windows().total());
    }

    private static void add(List<String> parts, long n, String what) {
        if (n > 0) {
            parts.add(n + (n == 1 ? " window " : " windows ") + what);
        }
    }

    static double decisionScore(Verdict v) {
        if (v.score() == null) {
            return Double.NaN;
        }
        return v.score().video() != null ? v.score().video() : v.score().mean();
    }

    static String range(Segment s) {
        return clock(s.startMs()) + "-" + clock(s.endMs());
    }

    /** Media time as m:ss.s. */
    static String clock(long ms) {
        // rounded to tenths before it is split, so that 59.96 s reads 1:00.0, not 0:60.0
        long tenths = Math.round(ms / 100.0);
        return String.format(Locale.ROOT, "%d:%04.1f", tenths / 600, (tenths % 600) / 10.0);
    }

    static String duration(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** {@code text} ending in one full stop (an FFmpeg message may bring its own). */
    static String endSentence(String text) {
        String t = String.valueOf(text);
        return t.endsWith(".") ? t : t + ".";
    }
}
