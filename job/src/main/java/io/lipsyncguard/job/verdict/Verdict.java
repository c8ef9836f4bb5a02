package io.lipsyncguard.job.verdict;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the job says about one video: the message downstream consumers read (JSON; schema in
 * {@code connectors/src/main/resources/schema/verdict.schema.json}).
 *
 * @param videoId key
 * @param kind ROLLING, FINAL or ERROR
 * @param verdict REAL, FAKE or UNCERTAIN (null for ERROR)
 * @param confidence 0..1, how sure the label is (see the README's decision policy)
 * @param risk LOW, MEDIUM or HIGH (null for ERROR)
 * @param score statistics of the scored windows' desync probability
 * @param recent statistics of the latest scored windows (ROLLING only)
 * @param misalignment share of scored windows at or above the decision threshold
 * @param stability how much the windows agree: 1 − 2·(standard deviation of window scores), 0..1
 * @param offsetMs estimated audio-video offset, positive when audio is later than the lips; null without evidence
 * @param offsetSpreadMs standard deviation of the per-window offsets in ms
 * @param syncConfidence how clearly the average lag curve peaks: its maximum minus its median (for SyncNet-style
 *     models, median minus minimum of the mean distance, as syncnet_python reports); null without a curve
 * @param segments suspicious media-time segments with their mean score (empty when none)
 * @param windows window counts by evidence class
 * @param model the model that scored
 * @param reasons machine-readable reason codes when the verdict is not decisive, or why a window class was missing
 * @param explanation deterministic text built only from the fields above
 * @param error what made the video unanalysable (ERROR only), or chunk errors met on the way, as one text
 * @param errors the same problems one by one (a problem's own text may contain the "; " that joins them in
 *     {@code error}); present exactly when {@code error} is
 * @param mediaMs media time covered so far
 * @param emittedAtMs wall-clock time of emission
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"videoId", "kind", "verdict", "confidence", "risk", "score", "recent", "misalignment",
    "stability", "offsetMs", "offsetSpreadMs", "syncConfidence", "segments", "windows", "model", "reasons", "explanation", "error",
    "errors", "mediaMs", "emittedAtMs"})
public record Verdict(
        String videoId,
        VerdictKind kind,
        Label verdict,
        double confidence,
        RiskLevel risk,
        ScoreStats score,
        ScoreStats recent,
        Double misalignment,
        Double stability,
        Double offsetMs,
        Double offsetSpreadMs,
        Double syncConfidence,
        Segment[] segments,
        WindowCounts windows,
        ModelRef model,
        String[] reasons,
        String explanation,
        String error,
        String[] errors,
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
                && verdict == v.verdict && risk == v.risk && Objects.equals(score, v.score)
                && Objects.equals(recent, v.recent) && Objects.equals(misalignment, v.misalignment)
                && Objects.equals(stability, v.stability) && Objects.equals(offsetMs, v.offsetMs)
                && Objects.equals(offsetSpreadMs, v.offsetSpreadMs)
                && Objects.equals(syncConfidence, v.syncConfidence) && Arrays.equals(segments, v.segments)
                && Objects.equals(windows, v.windows) && Objects.equals(model, v.model)
                && Arrays.equals(reasons, v.reasons) && Objects.equals(explanation, v.explanation)
                && Objects.equals(error, v.error) && Arrays.equals(errors, v.errors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(videoId, kind, verdict, confidence, risk, score, offsetMs, windows, model, error, mediaMs)
                * 31 + Arrays.hashCode(reasons);
    }

    @Override
    public String toString() {
        return "Verdict[" + videoId + " " + kind + " " + verdict + " conf=" + confidence + " risk=" + risk + " "
                + score + " offsetMs=" + offsetMs + " segments=" + Arrays.toString(segments) + " " + windows
                + " reasons=" + Arrays.toString(reasons) + (error == null ? "" : " error=" + error) + "]";
    }
}
