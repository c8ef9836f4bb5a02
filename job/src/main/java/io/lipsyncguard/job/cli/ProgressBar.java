package io.lipsyncguard.job.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line terminal progress bar for {@code analyze} over many files: files done, media frames per second and an
 * ETA from the bytes still to analyse. Drawn only on a terminal; redrawn by a ticker so the clock moves between files.
 */
public final class ProgressBar implements AutoCloseable {

    static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final int totalFiles;
    private final long totalBytes;
    private final long startNanos;
    private final Thread ticker;
    private int doneFiles;
    private long doneBytes;
    private long frames;
    /** Characters of the bar as last drawn, to blank it before a line goes above it. */
    private int lastWidth;

    /** A bar that is not started (no ticker): for tests of its drawing. */
    static ProgressBar unstarted(PrintStream out, int totalFiles, long totalBytes) {
        return new ProgressBar(out, totalFiles, totalBytes);
    }

    private ProgressBar(PrintStream out, int totalFiles, long totalBytes) {
        this.out = out;
        this.totalFiles = totalFiles;
        this.totalBytes = totalBytes;
        this.startNanos = System.nanoTime();
        this.ticker = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    draw();
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "analyze-progress");
        ticker.setDaemon(true);
    }

    /** A bar on {@code out}, or null when standard output is not a terminal (pipes and files stay clean). */
    public static ProgressBar startIfTerminal(PrintStream out, int totalFiles, long totalBytes) {
        if (!onTerminal(System.getProperty(STDERR_TERMINAL), System.console() != null) || totalFiles < 2) {
            return null;
        }
        ProgressBar bar = new ProgressBar(out, totalFiles, totalBytes);
        bar.ticker.start();
        return bar;
    }

    /** Set by the launcher to whether standard error is a terminal ({@code [ -t 2 ]}), which Java cannot tell. */
    static final String STDERR_TERMINAL = "lipsync.stderr.terminal";

    /**
     * Whether the bar's line may be drawn: as the launcher says, when it says; else when Java has a console (on Java
     * 17 that means standard input and output are a terminal, whatever standard error is; on 22 and later, always).
     */
    static boolean onTerminal(String launcherSays, boolean console) {
        return launcherSays != null ? Boolean.parseBoolean(launcherSays) : console;
    }

    /** One file finished: its size and the media frames it held. */
    public synchronized void fileDone(long bytes, long mediaFrames) {
        doneFiles++;
        doneBytes += bytes;
        frames += mediaFrames;
        draw();
    }

    /**
     * Prints {@code line} on {@code stdout} above the bar: the bar's line is blanked first (both streams usually end
     * on the same terminal, and a verdict would otherwise be printed into the middle of it), then drawn again.
     */
    public synchronized void above(PrintStream stdout, String line) {
        out.print("\r" + " ".repeat(lastWidth) + "\r");
        out.flush();
        stdout.println(line);
        stdout.flush();
        draw();
    }

    private synchronized void draw() {
        long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
        String text = line(doneFiles, totalFiles, frames, doneBytes, totalBytes, elapsedMs);
        lastWidth = text.length();
        out.print("\r" + text);
        out.flush();
    }

    /** The bar's text: {@code [#####.....] 3/10 files  412 frames/s  ETA 0:42  elapsed 0:18}. */
    public static String line(int done, int total, long frames, long doneBytes, long totalBytes, long elapsedMs) {
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        double fps = elapsedMs > 0 ? frames * 1000.0 / elapsedMs : 0;
        String eta = doneBytes <= 0 ? "--:--"
                : clock(Math.round(elapsedMs * (double) (totalBytes - doneBytes) / doneBytes));
        return String.format(Locale.ROOT, "[%s] %d/%d files  %.0f frames/s  ETA %s  elapsed %s", bar, done, total,
                fps, eta, clock(elapsedMs));
    }

    static String clock(long ms) {
        long s = Math.max(0, ms) / 1000;
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        ticker.interrupt();
        draw();
        out.println();
    }
}
