package io.lipsyncguard.job.verdict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The fixed questions {@code explain} answers about a verdict, each answered only from the verdict's metrics and the
 * model's thresholds (deterministic text, no generative model).
 */
public final class VerdictQuestions {

    /**
     * Question id → the words that select it, matched as the start of a word of the user's question (lower case):
     * "confiden" is confident and confidence, while "lag" in "flagged" or "ms" in "problems" select nothing.
     */
    static final Map<String, List<String>> QUESTIONS = new LinkedHashMap<>();

    /** Each question's words as one pattern that finds any of them at the start of a word. */
    private static final Map<String, Pattern> PATTERNS = new LinkedHashMap<>();

    static {
        QUESTIONS.put("why", List.of("why", "reason", "verdict"));
        QUESTIONS.put("segments", List.of("segment", "where", "when", "which part", "time"));
        QUESTIONS.put("sure", List.of("sure", "confiden", "certain", "risk", "trust"));
        QUESTIONS.put("offset", List.of("offset", "sync", "delay", "lag", "ms"));
        QUESTIONS.put("missing", List.of("missing", "evidence", "excluded", "skipped", "left out"));
        QUESTIONS.forEach((id, words) -> PATTERNS.put(id, Pattern.compile("\\b(?:"
                + String.join("|", words.stream().map(Pattern::quote).toList()) + ")")));
    }

    /** What each question asks, for the list shown when a question is not understood. */
    static final Map<String, String> HELP = Map.of(
            "why", "why: why this verdict?",
            "segments", "segments: which segments look manipulated?",
            "sure", "sure: how sure is it?",
            "offset", "offset: what is the audio/video offset?",
            "missing", "missing: what evidence was missing?");

    private VerdictQuestions() {}

    /** The question ids a free-text question selects, in the fixed order; empty when none matches. */
    public static List<String> match(String question) {
        String q = question.toLowerCase(Locale.ROOT).trim();
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : QUESTIONS.entrySet()) {
            if (q.equals(e.getKey()) || PATTERNS.get(e.getKey()).matcher(q).find()) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** The questions it can answer, one per line. */
    public static String supported() {
        StringBuilder sb = new StringBuilder("I can answer these questions about a verdict:\n");
        for (String id : QUESTIONS.keySet()) {
            sb.append("  ").append(HELP.get(id)).append('\n');
        }
        return sb.toString();
    }

    /** The answer to one question id. */
    public static String answer(Verdict v, String id, DecisionPolicy p) {
        if (v.kind() == VerdictKind.ERROR) {
            return "No analysis was possible: " + VerdictExplanation.endSentence(v.error());
        }
        List<String> reasons = v.reasons() == null ? List.of() : Arrays.asList(v.reasons());
        return switch (id) {
            case "why" -> String.format(Locale.ROOT, "%s %s%s", VerdictExplanation.headline(v),
                    VerdictExplanation.why(v, p, reasons),
                    reasons.isEmpty() ? "" : " Reason codes: " + String.join(", ", reasons) + ".");
            case "segments" -> {
                String s = VerdictExplanation.segments(v);
                yield s != null ? s : String.format(Locale.ROOT, "No stretch of windows scored at or above %.2f.",
                        p.suspiciousScore());
            }
            case "sure" -> sure(v, p, reasons);
            case "offset" -> {
                String s = VerdictExplanation.offset(v, p);
                yield s != null ? s : !p.givesOffsets() ? "This model gives no audio-visual offset: it scores each "
                        + "window as a whole (no lag between sound and lips)."
                        : "No offset could be estimated: no window was scored.";
            }
            case "missing" -> {
                String s = VerdictExplanation.missing(v);
                if (reasons.contains("missing-windows")) {
                    String lost = VerdictExplanation.missingWindows(v);
                    yield s == null ? lost : s + " " + lost;
                }
                if (s == null && v.windows().total() == 0) {
                    // no window at all is everything missing, not nothing
                    String cause = VerdictExplanation.noWindowCause(reasons);
                    yield "No window could be cut, so nothing could be scored: "
                            + (cause != null ? cause : "no picture with sound reached the analysis") + ".";
                }
                yield s != null ? s : String.format(Locale.ROOT, "Nothing was missing: all %d windows had a face, "
                        + "speech and readable mouth crops, and were scored.", v.windows().total());
            }
            default -> throw new IllegalArgumentException("unknown question id " + id);
        };
    }

    static String sure(Verdict v, DecisionPolicy p, List<String> reasons) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Confidence %.2f, %s risk.", v.confidence(),
                v.risk()));
        if (v.score() != null && v.misalignment() != null && v.stability() != null) {
            sb.append(String.format(Locale.ROOT, " %d windows were scored; %.0f%% of them at or above the threshold "
                    + "%.2f; stability %.2f (1 = all windows agree).", v.score().count(), 100 * v.misalignment(),
                    p.threshold(), v.stability()));
        }
        if (reasons.contains("early")) {
            double score = VerdictExplanation.decisionScore(v);
            sb.append(String.format(Locale.ROOT, " Too early to say: a ROLLING verdict waits for %d scored windows; "
                    + "so far the decision score is %.2f, %s the threshold.", p.minRollingWindows(), score,
                    score >= p.threshold() ? "at or above" : "below"));
        } else if (v.verdict() == Label.UNCERTAIN) {
            sb.append(v.confidence() == 0 ? " The evidence was too thin to lean either way."
                    : " For UNCERTAIN, the confidence says how clearly the evidence sits between the answers.");
        }
        return sb.toString();
    }
}
