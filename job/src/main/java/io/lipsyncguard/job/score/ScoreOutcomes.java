package io.lipsyncguard.job.score;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.flink.metrics.Counter;

/**
 * Counts each scoring request's outcome once: a batch that finishes after Flink timed its window out is neither
 * counted nor sent (the window's TIMEOUT result is already out), so {@code windowsScored}, {@code windowsFailed} and
 * {@code windowsTimedOut} add up to the windows sent to the model.
 */
final class ScoreOutcomes {

    // by identity: each request is its own ResultFuture
    private final Set<Object> open = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    private final Counter scored;
    private final Counter failed;
    private final Counter timedOut;

    ScoreOutcomes(Counter scored, Counter failed, Counter timedOut) {
        this.scored = scored;
        this.failed = failed;
        this.timedOut = timedOut;
    }

    /** A request went to the model. */
    void started(Object request) {
        open.add(request);
    }

    /**
     * The model answered {@code request} ({@code ok}: with a usable score); true when its result is still wanted and
     * so counted, false when it had timed out.
     */
    boolean answered(Object request, boolean ok) {
        if (!open.remove(request)) {
            return false;
        }
        (ok ? scored : failed).inc();
        return true;
    }

    /**
     * Flink timed {@code request} out; true when it is counted so, false when the model's answer took it first (its
     * result is on its way and is the one to send: Flink keeps a request's first completion).
     */
    boolean timedOut(Object request) {
        if (open.remove(request)) {
            timedOut.inc();
            return true;
        }
        return false;
    }

    /** Requests the model has not answered yet. */
    int inFlight() {
        return open.size();
    }
}
