package io.lipsyncguard.job.report;

import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Renders a {@link VideoReport} as one self-contained HTML page (charts and thumbnail inlined as PNG data URIs). */
public final class HtmlReport {

    private HtmlReport() {}

    /** Badge colour per verdict, shared with the PDF and the index. */
    public static String badgeColour(Verdict v) {
        if (v.kind() == VerdictKind.ERROR || v.verdict() == null) {
            return "#616161";
        }
        return switch (v.verdict()) {
            case REAL -> "#2e7d32";
            case FAKE -> "#c62828";
            case UNCERTAIN -> "#f9a825";
        };
    }

    public static String render(VideoReport r) {
        Verdict v = r.verdict();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>lipsync-guard report: ").append(esc(r.baseName())).append("</title>")
                .append("<style>body{font-family:sans-serif;margin:24px;max-width:960px;color:#212121}")
                .append("#verdict{display:inline-block;padding:8px 18px;border-radius:6px;color:#fff;font-size:24px;")
                .append("font-weight:bold}table{border-collapse:collapse;margin:12px 0}td{border:1px solid #ddd;")
                .append("padding:4px 10px}td:first-child{font-weight:bold;background:#f5f5f5}img{display:block;")
                .append("margin:8px 0}</style></head><body>\n");
        h.append("<h1>lipsync-guard report</h1>\n<p id=\"video\">").append(esc(v.videoId())).append("</p>\n");
        h.append("<div id=\"verdict\" style=\"background:").append(badgeColour(v)).append("\">")
                .append(v.kind() == VerdictKind.ERROR ? "ERROR" : v.verdict())
                .append(String.format(Locale.ROOT, " &middot; confidence %.2f", v.confidence()))
                .append(v.risk() == null ? "" : " &middot; " + v.risk() + " risk").append("</div>\n");
        if (r.thumbnail() != null) {
            h.append("<img id=\"thumbnail\" alt=\"face track thumbnail\" width=\"160\" height=\"160\" src=\"")
                    .append(dataUri(r.thumbnail())).append("\">\n");
        }
        h.append("<h2>Explanation</h2>\n<p id=\"explanation\">").append(esc(v.explanation())).append("</p>\n");
        h.append("<h2>Metrics</h2>\n<table id=\"metrics\">\n");
        for (String[] row : r.metrics()) {
            h.append("<tr><td>").append(esc(row[0])).append("</td><td>").append(esc(row[1])).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Suspicious segments</h2>\n");
        appendSegments(h, r.segments());
        h.append("<h2>Timeline</h2>\n");
        h.append("<img id=\"heatmap\" alt=\"timeline heatmap of window scores\" src=\"").append(dataUri(r.heatmap()))
                .append("\">\n");
        h.append("<img id=\"score-curve\" alt=\"window score curve with threshold\" src=\"")
                .append(dataUri(r.scoreCurve())).append("\">\n");
        h.append("<img id=\"offset-curve\" alt=\"per-window offset curve\" src=\"").append(dataUri(r.offsetCurve()))
                .append("\">\n");
        h.append("<p><a href=\"").append(esc(r.baseName())).append(".pdf\">PDF version</a></p>\n</body></html>\n");
        return h.toString();
    }

    private static void appendSegments(StringBuilder h, List<String> segments) {
        if (segments.isEmpty()) {
            h.append("<p id=\"segments\">None.</p>\n");
            return;
        }
        h.append("<ul id=\"segments\">\n");
        for (String s : segments) {
            h.append("<li>").append(esc(s)).append("</li>\n");
        }
        h.append("</ul>\n");
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    /** HTML text escaping of the five special characters. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
