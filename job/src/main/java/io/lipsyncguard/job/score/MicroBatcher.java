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

    private record Pending<I, O>(I input, CompletableFuture<O> result) {}

    private final BlockingQueue<Pending<I, O>> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final long maxWaitNanos;
    private final Function<List<I>, List<O>> batchFunction;
    private final IntConsumer batchSizeObserver;
    private final Thread worker;
    private volatile boolean running = true;

    public MicroBatcher(String name, int maxBatch, Duration maxWait, Function<List<I>, List<O>> batchFunction,
            IntConsumer batchSizeObserver) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.batchFunction = batchFunction;
        this.batchSizeObserver = batchSizeObserver;
        this.worker = new Thread(this::loop, name);
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Queues one input; the future completes when its batch has run (exceptionally if the batch failed). */
    public CompletableFuture<O> submit(I input) {
        CompletableFuture<O> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("micro-batcher is closed"));
            return result;
        }
        queue.add(new Pending<>(input, result));
        return result;
    }

    public int queued() {
        return queue.size();
    }

    private void loop() {
        List<Pending<I, O>> batch = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Pending<I, O> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Pending<I, O> next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        Pending<I, O> p;
        while ((p = queue.poll()) != null) {
            p.result.completeExceptionally(new IllegalStateException("micro-batcher closed before scoring"));
        }
    }

    private void run(List<Pending<I, O>> batch) {
        List<I> inputs = new ArrayList<>(batch.size());
        for (Pending<I, O> p : batch) {
            inputs.add(p.input);
        }
        try {
            batchSizeObserver.accept(batch.size());
            List<O> outputs = batchFunction.apply(inputs);
            if (outputs.size() != batch.size()) {
                throw new IllegalStateException("batch function returned " + outputs.size() + " results for "
                        + batch.size() + " inputs");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(outputs.get(i));
            }
        } catch (RuntimeException | Error e) {
            for (Pending<I, O> p : batch) {
                p.result.completeExceptionally(e);
            }
        }
    }

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
