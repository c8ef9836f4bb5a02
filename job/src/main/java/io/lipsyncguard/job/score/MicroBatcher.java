package io.lipsyncguard.job.score;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Collects single requests from many async callers into batches of at most {@code maxBatch}, waiting at most
 * {@code maxWait} after the first request of a batch, and runs each batch on one worker thread. Flink has no
 * batching async helper, and one model call on N windows is much cheaper than N calls.
 */
public final class MicroBatcher<I, O> implements AutoCloseable {

    /** The failure of a request still queued at its deadline: it was never run. */
    public static final class ExpiredException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ExpiredException(long waitedMs) {
            super("still queued for the model after " + waitedMs + " ms; not run");
        }
    }

    /** A queued input; {@code deadline} (System.nanoTime) counts only when {@code hasDeadline}. */
    private record Pending<I, O>(I input, CompletableFuture<O> result, long queuedAt, boolean hasDeadline,
            long deadline) {

        /** Whether the request is no longer wanted: its caller completed it, or its deadline has passed. */
        boolean dropped(long now) {
            if (result.isDone()) {
                return true;
            }
            if (hasDeadline && now - deadline >= 0) {
                result.completeExceptionally(new ExpiredException((now - queuedAt) / 1_000_000));
                return true;
            }
            return false;
        }
    }

    private final BlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final int basePurgeAt;
    private final long maxWaitNanos;
    private final Function<List<I>, List<O>> batchFunction;
    private final IntConsumer batchSizeObserver;
    private final Thread worker;
    private volatile boolean running = true;

    public MicroBatcher(String name, int maxBatch, Duration maxWait, Function<List<I>, List<O>> batchFunction,
            IntConsumer batchSizeObserver) {
        this(name, maxBatch, maxWait, batchFunction, batchSizeObserver, () -> { });
    }

    /**
     * As the other constructor; {@code onStop} runs on the worker thread once it has stopped, after its last batch:
     * what the batch function uses (a native session) must not be freed while a batch may still be running on it.
     */
    public MicroBatcher(String name, int maxBatch, Duration maxWait, Function<List<I>, List<O>> batchFunction,
            IntConsumer batchSizeObserver, Runnable onStop) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
        this.basePurgeAt = Math.max(64, 8 * maxBatch);
        this.purgeAt = basePurgeAt;
        this.maxWaitNanos = maxWait.toNanos();
        this.batchFunction = batchFunction;
        this.batchSizeObserver = batchSizeObserver;
        this.worker = new Thread(() -> {
            try {
                loop();
            } finally {
                onStop.run();
            }
        }, name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues one input; the future completes when its batch has run (exceptionally if the batch failed). */
    public CompletableFuture<O> submit(I input) {
        return enqueue(input, false, 0);
    }

    /**
     * As {@link #submit(Object)}, but an input still queued after {@code within} is not run: its future fails with
     * {@link ExpiredException}. Nor is one whose future its caller completed (or cancelled) meanwhile. Under overload
     * the model then works on requests someone still waits for, instead of on those already given up (each of which
     * made room for another).
     */
    public CompletableFuture<O> submit(I input, Duration within) {
        return enqueue(input, true, System.nanoTime() + within.toNanos());
    }

    private CompletableFuture<O> enqueue(I input, boolean hasDeadline, long deadline) {
        CompletableFuture<O> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("micro-batcher is closed"));
            return result;
        }
        Pending<I, O> pending = new Pending<>(input, result, System.nanoTime(), hasDeadline, deadline);
        queue.add(pending);
        if (!running && queue.remove(pending)) {
            // closed between the check and the add, after the worker's last drain: no one else would answer it
            result.completeExceptionally(new IllegalStateException("micro-batcher is closed"));
            return result;
        }
        if (queue.size() >= purgeAt) {
            purge();
        }
        return result;
    }

    /** Queue length at which requests no longer wanted are taken out before the worker reaches them. */
    private volatile int purgeAt;

    /**
     * Takes out the requests given up or expired. While the worker is stuck in a batch (a hung native call), each
     * timed-out window makes room for another and the queue grew without bound, each request holding its crops; the
     * live ones are bounded by the async operators' capacity. The bar doubles while what is left is all live.
     */
    private synchronized void purge() {
        long now = System.nanoTime();
        queue.removeIf(p -> p.dropped(now));
        purgeAt = Math.max(basePurgeAt, 2 * queue.size());
    }

    public int queued() {
        return queue.size();
    }

    private void loop() {
        try {
            collectAndRun();
        } finally {
            // also when the worker stops on an interrupt that was not close(), or on an Error: later submits fail at
            // once, not never
            running = false;
            Pending<I, O> p;
            while ((p = queue.poll()) != null) {
                p.result.completeExceptionally(new IllegalStateException("micro-batcher closed before scoring"));
            }
        }
    }

    private void collectAndRun() {
        List<Pending<I, O>> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null || first.dropped(System.nanoTime())) {
                    continue;
                }
                batch.add(first);
                // from when it was queued: one that waited behind a long batch is not held another maxWait
                long deadline = first.queuedAt() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Pending<I, O> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    if (!next.dropped(System.nanoTime())) {
                        batch.add(next);
                    }
                }
                run(batch);
            } catch (InterruptedException e) {
                // close() while a batch was being collected: its requests are off the queue, so fail them here
                for (Pending<I, O> p : batch) {
                    p.result.completeExceptionally(new IllegalStateException("micro-batcher closed before scoring"));
                }
                Thread.currentThread().interrupt();
                break;
            } catch (Error e) {
                // out of memory or the like outside a batch call: the worker cannot go on; no caller may wait for ever
                for (Pending<I, O> p : batch) {
                    p.result.completeExceptionally(e);
                }
                throw e;
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Runs a batch; when it fails, each of its requests is run alone, so that one bad input (a window of another
     * video, a shape the model refuses) fails only its own caller. An Error fails them all: retrying would not help.
     */
    private void run(List<Pending<I, O>> batch) {
        try {
            runTogether(batch);
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).result.completeExceptionally(e);
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                Pending<I, O> p = batch.get(i);
                if (p.dropped(System.nanoTime())) {
                    continue; // given up, or past its deadline, while the batch ran: a slow model runs no more
                }
                try {
                    runTogether(List.of(p));
                } catch (RuntimeException alone) {
                    p.result.completeExceptionally(alone);
                } catch (Error error) {
                    // as on the first attempt: the rest fail with it and the worker goes on (escaping, it ended the
                    // worker, and every later window of the JVM failed as "closed" without a restart)
                    for (Pending<I, O> rest : batch.subList(i, batch.size())) {
                        rest.result.completeExceptionally(error);
                    }
                    return;
                }
            }
        } catch (Error e) {
            for (Pending<I, O> p : batch) {
                p.result.completeExceptionally(e);
            }
        }
    }

    private void runTogether(List<Pending<I, O>> batch) {
        List<I> inputs = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            inputs.add(p.input);
        }
        batchSizeObserver.accept(batch.size());
        List<O> outputs = batchFunction.apply(inputs);
        if (outputs.size() != batch.size()) {
            throw new IllegalStateException("batch function returned " + outputs.size() + " results for "
                    + batch.size() + " inputs");
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result.complete(outputs.get(i));
        }
    }

    /**
     * Stops taking batches and fails what is queued; waits up to 5 s for a batch in progress (a longer one finishes on
     * the worker, which then runs {@code onStop}).
     */
    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
