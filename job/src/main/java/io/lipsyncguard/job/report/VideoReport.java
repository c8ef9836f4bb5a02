package io.lipsyncguard.job.report;

import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Segment;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.job.verdict.WindowCounts;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Everything one video's report shows, computed once so the HTML page and the PDF carry the same content: the
 * verdict, the metrics table, the explanation, the segments, the charts and the face thumbnail (PNG bytes).
 *
 * @param baseName file name stem for this video's report files
 * @param thumbnail PNG of the face, or null when no picture could be decoded
 */
public record VideoReport(Verdict verdict, List<String[]> metrics, List<String> segments, byte[] heatmap,
        byte[] scoreCurve, byte[] offsetCurve, byte[] thumbnail, String baseName) {

    static final int CHART_WIDTH = 900;
    static final int THUMBNAIL = 160;

    /** Builds the report content of one video from its verdict and scored windows (in index order). */
    public static VideoReport of(Verdict v, List<ScoredWindow> windows, DecisionPolicy p) {
        Segment[] segments = v.segments() == null ? new Segment[0] : v.segments();
        byte[] thumbnail = null;
        Path file = Path.of(v.videoId());
        if (Files.isRegularFile(file)) {
            // the face where it matters most: inside the longest suspicious segment, else mid-video
            long at = v.mediaMs() / 2;
            Segment longest = null;
            for (Segment s : segments) {
                if (longest == null || s.durationMs() > longest.durationMs()) {
                    longest = s;
                }
            }
            if (longest != null) {
                at = (longest.startMs() + longest.endMs()) / 2;
            }
            BufferedImage face = FaceThumbnail.at(file, at, THUMBNAIL);
            thumbnail = face == null ? null : ReportCharts.png(face);
        }
        return new VideoReport(v, metrics(v, p), segmentLines(segments),
                ReportCharts.png(ReportCharts.heatmap(windows, segments, CHART_WIDTH, 150)),
                ReportCharts.png(ReportCharts.scoreCurve(windows, segments, p.threshold(), p.band(), CHART_WIDTH, 280)),
                ReportCharts.png(ReportCharts.offsetCurve(windows, segments, p.fps(), CHART_WIDTH, 280)), thumbnail,
                baseName(v.videoId()));
    }

    /** The metrics table: label and value, in display order. */
    static List<String[]> metrics(Verdict v, DecisionPolicy p) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("Verdict", v.kind() == VerdictKind.ERROR ? "ERROR" : String.valueOf(v.verdict())));
        rows.add(row("Confidence", fmt("%.2f", v.confidence())));
        rows.add(row("Risk", v.risk() == null ? "-" : v.risk().name()));
        if (v.score() != null) {
            double decision = v.score().video() != null ? v.score().video() : v.score().mean();
            rows.add(row("Decision score", fmt("%.3f (threshold %.2f, uncertain band ±%.2f)", decision, p.threshold(),
                    p.band())));
            rows.add(row("Mean window score", fmt("%.3f (std %.3f)", v.score().mean(),
                    Math.sqrt(v.score().variance()))));
        }
        rows.add(row("Misalignment ratio", v.misalignment() == null ? "-" : fmt("%.0f%%", 100 * v.misalignment())));
        rows.add(row("Stability", v.stability() == null ? "-" : fmt("%.2f", v.stability())));
        rows.add(row("AV offset", v.offsetMs() == null ? "-" : fmt("%+.0f ms (spread %.0f ms)", v.offsetMs(),
                v.offsetSpreadMs() == null ? 0.0 : v.offsetSpreadMs())));
        WindowCounts c = v.windows();
        rows.add(row("Windows", fmt("%d scored of %d", c.scored(), c.total())));
        rows.add(row("Excluded windows", fmt("no face %d, silence %d, several faces %d, low quality %d, audio "
                + "dropout %d, frozen picture %d, unscored %d", c.noFace(), c.silent(), c.multiFace(), c.lowQuality(),
                c.audioDropout(), c.frozenPicture(), c.unscored())));
        rows.add(row("Reason codes", v.reasons() == null ? "-" : String.join(", ", v.reasons())));
        rows.add(row("Media analysed", fmt("%.1f s", v.mediaMs() / 1000.0)));
        rows.add(row("Model", v.model() == null ? "-" : v.model().id() + " " + v.model().version()));
        return rows;
    }

    static List<String> segmentLines(Segment[] segments) {
        List<String> out = new ArrayList<>();
        for (Segment s : segments) {
            out.add(fmt("%.1f s - %.1f s (%.1f s, %d windows, mean score %.2f)", s.startMs() / 1000.0,
                    s.endMs() / 1000.0, s.durationMs() / 1000.0, s.windows(), s.meanScore()));
        }
        return out;
    }

    /** A file-system-safe, collision-free stem: the file name plus a short hash of the full video id. */
    static final int MAX_NAME_CHARS = 100;

    static String baseName(String videoId) {
        String name = Path.of(videoId).getFileName() == null ? videoId : Path.of(videoId).getFileName().toString();
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        // file names end at 255 bytes; the hash of the whole id keeps shortened names apart
        safe = safe.substring(0, Math.min(safe.length(), MAX_NAME_CHARS));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(videoId.getBytes(StandardCharsets.UTF_8));
            return safe + "-" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
