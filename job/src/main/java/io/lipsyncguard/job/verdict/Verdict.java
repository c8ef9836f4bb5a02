package io.lipsyncguard.job.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the job says about one video: the message downstream consumers read (JSON, schema in
 * {@code connectors/src/main/resources/schema/verdict.schema.json} once published).
 *
 * @param videoId key
 * @param kind ROLLING, FINAL or ERROR
 * @param verdict REAL, FAKE or UNCERTAIN (null for ERROR)
 * @param confidence 0..1, how sure the label is (see the README's decision policy)
 * @param score statistics of the scored windows' desync probability
 * @param recent statistics of the latest scored windows (ROLLING only)
 * @param offsetMs estimated audio-video offset, positive when audio is later than the lips; null without evidence
 * @param windows window counts by evidence class
 * @param model the model that scored
 * @param reasons machine-readable reason codes when the verdict is not decisive, or why a window class was missing
 * @param error what made the video unanalysable (ERROR only)
 * @param mediaMs media time covered so far
 * @param emittedAtMs wall-clock time of emission
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"videoId", "kind", "verdict", "confidence", "score", "recent", "offsetMs", "windows", "model", "reasons",
    "error", "mediaMs", "emittedAtMs"})
public record Verdict(
        String videoId,
        VerdictKind kind,
        Label verdict,
        double confidence,
        ScoreStats score,
        ScoreStats recent,
        Double offsetMs,
        WindowCounts windows,
        ModelRef model,
        String[] reasons,
        String error,
        long mediaMs,
        long emittedAtMs) {

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Verdict v)) {
            return false;
        }
        return Double.compare(confidence, v.confidence) == 0 && mediaMs == v.mediaMs
                && emittedAtMs == v.emittedAtMs && Objects.equals(videoId, v.videoId) && kind == v.kind
                && verdict == v.verdict && Objects.equals(score, v.score) && Objects.equals(recent, v.recent) && Objects.equals(offsetMs, v.offsetMs)
                && Objects.equals(windows, v.windows) && Objects.equals(model, v.model)
                && Arrays.equals(reasons, v.reasons) && Objects.equals(error, v.error);
    }

    @Override
    public int hashCode() {
        return Objects.hash(videoId, kind, verdict, confidence, score, offsetMs, windows, model, error, mediaMs)
                * 31 + Arrays.hashCode(reasons);
    }

    @Override
    public String toString() {
        return "Verdict[" + videoId + " " + kind + " " + verdict + " conf=" + confidence + " " + score + " offsetMs="
                + offsetMs + " " + windows + " reasons=" + Arrays.toString(reasons)
                + (error == null ? "" : " error=" + error) + "]";
    }
}
