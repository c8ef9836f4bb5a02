package io.lipsyncguard.job.report;

import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.DecisionPolicy;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/** Writes {@code analyze --report DIR}: per video an HTML page and a PDF with the same content, plus an index page. */
public final class ReportWriter {

    private ReportWriter() {}

    /** Writes the reports and returns the per-video reports in index order (by video id). */
    public static List<VideoReport> write(Path dir, List<Verdict> verdicts, Map<String, List<ScoredWindow>> windows,
            DecisionPolicy policy) throws IOException {
        return write(dir, verdicts, windows, policy, problem -> { });
    }

    /**
     * As {@link #write(Path, List, Map, DecisionPolicy)}; a video whose report cannot be written is left out of the
     * index and named to {@code problems}, and the others and the index are written all the same.
     */
    public static List<VideoReport> write(Path dir, List<Verdict> verdicts, Map<String, List<ScoredWindow>> windows,
            DecisionPolicy policy, Consumer<String> problems) throws IOException {
        Files.createDirectories(dir);
        List<VideoReport> reports = new ArrayList<>();
        for (Verdict v : verdicts.stream().sorted(Comparator.comparing(Verdict::videoId)).toList()) {
            try {
                VideoReport r = VideoReport.of(v, windows.getOrDefault(v.videoId(), List.of()), policy);
                // the PDF first: a page is written only when the PDF it links to is complete
                PdfReport.write(r, dir.resolve(r.baseName() + ".pdf"));
                AtomicFiles.writeString(dir.resolve(r.baseName() + ".html"), HtmlReport.render(r));
                reports.add(r);
            } catch (IOException | RuntimeException e) {
                problems.accept("report for " + v.videoId() + " not written: " + e.getMessage());
            }
        }
        AtomicFiles.writeString(dir.resolve("index.html"), index(reports));
        return reports;
    }

    /** The index page: one row per video with verdict, confidence, risk and links to its reports. */
    static String index(List<VideoReport> reports) {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>lipsync-guard reports</title><style>body{font-family:sans-serif;margin:24px}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}"
                + "</style></head><body>\n<h1>lipsync-guard reports</h1>\n<table id=\"videos\">\n"
                + "<tr><th>Video</th><th>Verdict</th><th>Confidence</th><th>Risk</th><th>Report</th></tr>\n");
        for (VideoReport r : reports) {
            Verdict v = r.verdict();
            String label = v.kind() == VerdictKind.ERROR ? "ERROR" : String.valueOf(v.verdict());
            h.append("<tr><td>").append(HtmlReport.esc(v.videoId())).append("</td><td style=\"color:")
                    .append(HtmlReport.badgeColour(v)).append(";font-weight:bold\">").append(label).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.2f", v.confidence())).append("</td><td>")
                    .append(v.risk() == null ? "-" : v.risk()).append("</td><td><a href=\"")
                    .append(HtmlReport.esc(r.baseName())).append(".html\">HTML</a> &middot; <a href=\"")
                    .append(HtmlReport.esc(r.baseName())).append(".pdf\">PDF</a></td></tr>\n");
        }
        return h.append("</table>\n</body></html>\n").toString();
    }
}
