package io.lipsyncguard.job.report;

import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

/**
 * Renders a {@link VideoReport} as an A4 PDF with PDFBox: page 1 the verdict, thumbnail, explanation, metrics and
 * segments (continued on further pages when they do not fit); the last page the timeline heatmap, score curve and
 * offset curve.
 */
public final class PdfReport {

    /** Pages a report has when its text fits on the first one. */
    public static final int PAGES = 2;

    static final float MARGIN = 40;
    static final Path DEJAVU = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    static final Path DEJAVU_BOLD = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");

    private PdfReport() {}

    public static void write(VideoReport r, Path out) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            // DejaVu covers any video name; the built-in Helvetica (Latin-1 only) is the fallback
            boolean dejavu = Files.isRegularFile(DEJAVU) && Files.isRegularFile(DEJAVU_BOLD);
            PDFont regular = dejavu ? PDType0Font.load(doc, DEJAVU.toFile())
                    : new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            PDFont bold = dejavu ? PDType0Font.load(doc, DEJAVU_BOLD.toFile())
                    : new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
            Fonts fonts = new Fonts(regular, bold, !dejavu);
            firstPage(doc, r, fonts);
            chartsPage(doc, r, fonts);
            AtomicFiles.write(out, file -> doc.save(file.toFile()));
        }
    }

    record Fonts(PDFont regular, PDFont bold, boolean latin1Only) {
        /**
         * The text as both fonts can draw it: control characters (a newline or tab in a file name) become spaces and
         * any character a font has no glyph for (Chinese, most emoji, under Helvetica everything beyond Latin-1)
         * becomes '?'. PDFBox throws on either, which lost the report and every report after it.
         */
        String clean(String s) {
            if (s == null) {
                return "";
            }
            StringBuilder b = new StringBuilder();
            s.codePoints().forEach(cp -> {
                if (Character.isISOControl(cp)) {
                    b.append(' ');
                } else if ((!latin1Only || cp >= 32 && cp < 127 || cp >= 160 && cp < 256) && drawable(cp)) {
                    // under Helvetica too: WinAnsi has no glyph names PDFBox finds for some of Latin-1 (U+00A0
                    // 'nbspace', U+00AD 'sfthyphen'), and encoding one threw
                    b.appendCodePoint(cp);
                } else {
                    b.append('?');
                }
            });
            return b.toString();
        }

        private boolean drawable(int cp) {
            String c = new String(Character.toChars(cp));
            try {
                regular.encode(c);
                bold.encode(c);
                return true;
            } catch (IOException | IllegalArgumentException e) {
                return false;
            }
        }
    }

    private static void firstPage(PDDocument doc, VideoReport r, Fonts f) throws IOException {
        PDPage page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        Verdict v = r.verdict();
        float width = page.getMediaBox().getWidth() - 2 * MARGIN;
        float y = page.getMediaBox().getHeight() - MARGIN;
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
            y = text(cs, f.bold(), 18, MARGIN, y, "lipsync-guard report");
            for (String line : wrap(f.clean(v.videoId()), f.regular(), 9, width - 180)) {
                y = text(cs, f.regular(), 9, MARGIN, y, line);
            }
            y -= 10;
            String label = v.kind() == VerdictKind.ERROR ? "ERROR" : String.valueOf(v.verdict());
            String badge = String.format(Locale.ROOT, "%s  confidence %.2f%s", label, v.confidence(),
                    v.risk() == null ? "" : "  " + v.risk() + " risk");
            cs.setNonStrokingColor(Color.decode(HtmlReport.badgeColour(v)));
            cs.addRect(MARGIN, y - 26, f.bold().getStringWidth(badge) / 1000 * 16 + 24, 30);
            cs.fill();
            cs.setNonStrokingColor(Color.WHITE);
            text(cs, f.bold(), 16, MARGIN + 12, y - 4, badge);
            cs.setNonStrokingColor(Color.BLACK);
            if (r.thumbnail() != null) {
                PDImageXObject img = PDImageXObject.createFromByteArray(doc, r.thumbnail(), "thumbnail");
                cs.drawImage(img, MARGIN + width - 140, page.getMediaBox().getHeight() - MARGIN - 140, 140, 140);
            }
            y -= 60;
            if (r.thumbnail() != null) {
                y = Math.min(y, page.getMediaBox().getHeight() - MARGIN - 150); // text starts below the thumbnail
            }
        }
        // the rest flows on to further pages when it is long (an ERROR explanation quoting eight chunk errors)
        try (Flow flow = new Flow(doc, page, y)) {
            flow.line(f.bold(), 13, MARGIN, "Explanation");
            for (String line : wrap(f.clean(v.explanation()), f.regular(), 10, width)) {
                flow.line(f.regular(), 10, MARGIN, line);
            }
            flow.skip(10);
            flow.line(f.bold(), 13, MARGIN, "Metrics");
            for (String[] row : r.metrics()) {
                List<String> value = wrap(f.clean(row[1]), f.regular(), 10, width - 140);
                flow.keep(value.size() * 14f);
                flow.at(f.bold(), 10, MARGIN, f.clean(row[0]));
                for (String line : value) {
                    flow.line(f.regular(), 10, MARGIN + 140, line);
                }
            }
            flow.skip(10);
            flow.line(f.bold(), 13, MARGIN, "Suspicious segments");
            if (r.segments().isEmpty()) {
                flow.line(f.regular(), 10, MARGIN, "None.");
            }
            for (String s : r.segments().subList(0, Math.min(r.segments().size(), 12))) {
                flow.line(f.regular(), 10, MARGIN, "- " + f.clean(s));
            }
            if (r.segments().size() > 12) {
                flow.line(f.regular(), 10, MARGIN, "... and " + (r.segments().size() - 12)
                        + " more (see the HTML)");
            }
        }
    }

    /** Lines of text down a page and on to new ones at the bottom margin. */
    private static final class Flow implements AutoCloseable {
        private final PDDocument doc;
        private PDPageContentStream cs;
        private float y;

        Flow(PDDocument doc, PDPage page, float y) throws IOException {
            this.doc = doc;
            this.cs = new PDPageContentStream(doc, page, PDPageContentStream.AppendMode.APPEND, true);
            this.y = y;
        }

        /** A line at the current position; the position moves down a line. */
        void line(PDFont font, float size, float x, String s) throws IOException {
            keep(size * 1.4f);
            y = text(cs, font, size, x, y, s);
        }

        /** Text at the current position without moving down (a label beside the lines that follow). */
        void at(PDFont font, float size, float x, String s) throws IOException {
            text(cs, font, size, x, y, s);
        }

        void skip(float points) {
            y -= points;
        }

        /** Starts a new page unless {@code height} points fit above the bottom margin. */
        void keep(float height) throws IOException {
            if (y - height >= MARGIN) {
                return;
            }
            cs.close();
            PDPage next = new PDPage(PDRectangle.A4);
            doc.addPage(next);
            cs = new PDPageContentStream(doc, next);
            y = next.getMediaBox().getHeight() - MARGIN;
        }

        @Override
        public void close() throws IOException {
            cs.close();
        }
    }

    private static void chartsPage(PDDocument doc, VideoReport r, Fonts f) throws IOException {
        PDPage page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        float width = page.getMediaBox().getWidth() - 2 * MARGIN;
        float y = page.getMediaBox().getHeight() - MARGIN;
        try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
            y = text(cs, f.bold(), 13, MARGIN, y, "Timeline");
            for (byte[][] chart : new byte[][][] {{r.heatmap()}, {r.scoreCurve()}, {r.offsetCurve()}}) {
                PDImageXObject img = PDImageXObject.createFromByteArray(doc, chart[0], "chart");
                float h = width * img.getHeight() / img.getWidth();
                y -= h + 8;
                cs.drawImage(img, MARGIN, y, width, h);
            }
        }
    }

    private static float text(PDPageContentStream cs, PDFont font, float size, float x, float y, String s)
            throws IOException {
        cs.beginText();
        cs.setFont(font, size);
        cs.newLineAtOffset(x, y - size);
        cs.showText(s);
        cs.endText();
        return y - size * 1.4f;
    }

    /** Greedy word wrap to a width in points; a word wider than a line (a long path or URI) is broken inside. */
    static List<String> wrap(String text, PDFont font, float size, float width) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        List<String> words = new ArrayList<>();
        for (String word : text.split(" ")) {
            words.addAll(pieces(word, font, size, width));
        }
        for (String word : words) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (line.isEmpty() || font.getStringWidth(candidate) / 1000 * size <= width) {
                line.setLength(0);
                line.append(candidate);
            } else {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            }
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** {@code word} cut into pieces no wider than {@code width} (itself when it fits). */
    private static List<String> pieces(String word, PDFont font, float size, float width) throws IOException {
        if (font.getStringWidth(word) / 1000 * size <= width) {
            return List.of(word);
        }
        List<String> out = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            String next = piece + new String(Character.toChars(cp));
            if (!piece.isEmpty() && font.getStringWidth(next) / 1000 * size > width) {
                out.add(piece.toString());
                piece.setLength(0);
            }
            piece.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        out.add(piece.toString());
        return out;
    }
}
