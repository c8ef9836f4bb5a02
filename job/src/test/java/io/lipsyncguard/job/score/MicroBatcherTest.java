package io.lipsyncguard.job.score;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The micro-batcher: batch sizes, the max wait, failure isolation and close. */
class MicroBatcherTest {

    @Test
    void fillsBatchesUpToMaxAndAnswersEachCallerWithItsOwnResult() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 4, Duration.ofSeconds(2),
                in -> in.stream().map(x -> x * 10).toList(), sizes::add)) {
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                fs.add(b.submit(i));
            }
            for (int i = 0; i < 10; i++) {
                assertThat(fs.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i * 10);
            }
        }
        assertThat(sizes).allMatch(s -> s <= 4);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
        // ten requests queued at once cannot need more than ceil(10/4)+1 batches
        assertThat(sizes.size()).isLessThanOrEqualTo(4);
    }

    @Test
    void aLoneRequestIsNotHeldLongerThanMaxWait() throws Exception {
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 64, Duration.ofMillis(30), in -> in,
                s -> {})) {
            assertThat(b.submit(7).get(5, TimeUnit.SECONDS)).isEqualTo(7);
        }
    }

    @Test
    void aFailingBatchFailsOnlyItsCallersAndTheWorkerGoesOn() throws Exception {
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 1, Duration.ZERO, in -> {
            if (in.get(0) < 0) {
                throw new IllegalArgumentException("negative");
            }
            return in;
        }, s -> {})) {
            CompletableFuture<Integer> bad = b.submit(-1);
            assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("negative");
            assertThat(b.submit(3).get(5, TimeUnit.SECONDS)).isEqualTo(3);
        }
    }

    @Test
    void anErrorWhileAFailedBatchIsRetriedFailsTheRestAndTheWorkerGoesOn() throws Exception {
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 3, Duration.ofSeconds(1), in -> {
            if (in.size() > 1) {
                throw new IllegalArgumentException("not together");
            }
            if (in.get(0) == 2) {
                throw new OutOfMemoryError("retry of 2");
            }
            return in;
        }, s -> {})) {
            CompletableFuture<Integer> one = b.submit(1);
            CompletableFuture<Integer> two = b.submit(2);
            CompletableFuture<Integer> three = b.submit(3);
            assertThat(one.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            for (CompletableFuture<Integer> f : List.of(two, three)) {
                assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(OutOfMemoryError.class);
            }
            assertThat(b.submit(4).get(5, TimeUnit.SECONDS)).as("the worker still runs").isEqualTo(4);
        }
    }

    @Test
    void aFailedBatchRetriesNoneOfItsRequestsWhoseDeadlinePassedWhileItRan() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        // wide margins for a slow machine: four requests are collected well within their 1 s, and the model's 3 s
        // are well past it
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 4, Duration.ofSeconds(20), in -> {
            sleep(3000); // a slow model that then fails
            throw new IllegalStateException("failed after 3 s");
        }, sizes::add)) {
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fs.add(b.submit(i, Duration.ofSeconds(1)));
            }
            for (CompletableFuture<Integer> f : fs) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            }
            // one batch of four ran; their deadlines passed meanwhile, so none was tried again alone
            assertThat(sizes).containsExactly(4);
            assertThat(fs).allSatisfy(f -> assertThatThrownBy(f::get)
                    .hasCauseInstanceOf(MicroBatcher.ExpiredException.class));
        }
    }

    @Test
    void theMaxWaitCountsFromWhenARequestWasQueuedNotFromWhenTheWorkerGotToIt() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 64, Duration.ofSeconds(3), in -> {
            if (in.contains(0)) {
                firstRunning.countDown();
                sleep(3000);
            }
            return in;
        }, s -> {})) {
            CompletableFuture<Integer> first = b.submit(0);
            // the first batch: 3 s of max wait (nothing else comes), then 3 s of model
            assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
            long queued = System.nanoTime();
            CompletableFuture<Integer> next = b.submit(1);
            assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
            assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            // queued while the model ran, its 3 s are up when the worker takes it: not 3 s more
            assertThat(Duration.ofNanos(System.nanoTime() - queued)).isLessThan(Duration.ofMillis(5000));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void oneBadInputFailsOnlyItselfNotTheOthersInItsBatch() throws Exception {
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 4, Duration.ofSeconds(5), in -> {
            if (in.stream().anyMatch(x -> x < 0)) {
                throw new IllegalArgumentException("negative in " + in);
            }
            return in.stream().map(x -> x * 10).toList();
        }, sizes::add)) {
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int x : new int[] {1, -1, 2, 3}) {
                fs.add(b.submit(x));
            }
            assertThat(fs.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(10);
            assertThatThrownBy(() -> fs.get(1).get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasMessageContaining("negative in [-1]");
            assertThat(fs.get(2).get(10, TimeUnit.SECONDS)).isEqualTo(20);
            assertThat(fs.get(3).get(10, TimeUnit.SECONDS)).isEqualTo(30);
        }
        // the four went together, then each alone
        assertThat(sizes).containsExactly(4, 1, 1, 1, 1);
    }

    @Test
    void requestsGivenUpWhileQueuedAreNotRun() throws Exception {
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 1, Duration.ZERO, in -> {
                    seen.addAll(in);
                    release.join(); // the model is busy with the first request while the others queue
                    return in;
                }, s -> {})) {
            CompletableFuture<Integer> busy = b.submit(1);
            while (seen.isEmpty()) {
                Thread.sleep(1);
            }
            CompletableFuture<Integer> expiring = b.submit(2, Duration.ofMillis(20));
            CompletableFuture<Integer> cancelled = b.submit(3);
            CompletableFuture<Integer> patient = b.submit(4, Duration.ofMinutes(1));
            cancelled.cancel(false);
            Thread.sleep(60);
            release.complete(null);

            assertThat(busy.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(patient.get(5, TimeUnit.SECONDS)).isEqualTo(4);
            assertThatThrownBy(() -> expiring.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(
                    MicroBatcher.ExpiredException.class).hasMessageContaining("not run");
            assertThat(seen).containsExactly(1, 4);
        }
    }

    @Test
    void whileTheModelHangsTheRequestsGivenUpDoNotPileUp() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        try (MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 4, Duration.ZERO, in -> {
                    started.complete(null);
                    release.join(); // a native call that does not return
                    return in;
                }, s -> {})) {
            b.submit(0);
            started.get(5, TimeUnit.SECONDS);
            // each request times out and makes room for another, as Flink's async operator does
            List<CompletableFuture<Integer>> given = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                given.add(b.submit(i, Duration.ofMillis(1)));
                if (i % 100 == 0) {
                    Thread.sleep(5);
                }
            }
            Thread.sleep(5);
            CompletableFuture<Integer> live = b.submit(-1, Duration.ofMinutes(1));
            assertThat(b.queued()).as("requests held while the model hangs").isLessThanOrEqualTo(200);
            assertThat(given.get(0)).isCompletedExceptionally();
            release.complete(null);
            assertThat(live.get(5, TimeUnit.SECONDS)).isEqualTo(-1); // the live one still runs
        }
    }

    @Test
    void whatTheBatchesUseIsReleasedOnlyAfterTheLastBatchEvenWhenCloseStopsWaiting() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean inBatch = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Boolean> stoppedDuringBatch = new CompletableFuture<>();
        MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 1, Duration.ZERO, in -> {
            inBatch.set(true);
            started.complete(null);
            release.join(); // a batch longer than close() waits for (a large model on a CPU)
            inBatch.set(false);
            return in;
        }, s -> {}, () -> stoppedDuringBatch.complete(inBatch.get()));
        CompletableFuture<Integer> result = b.submit(1);
        started.get(5, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        b.close();
        assertThat((System.nanoTime() - t0) / 1e9).as("close() gives up waiting").isLessThan(10);
        assertThat(stoppedDuringBatch).as("released under a running batch").isNotDone();
        release.complete(null);
        assertThat(stoppedDuringBatch.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void closeFailsTheBatchBeingCollectedToo() throws Exception {
        MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 8, Duration.ofSeconds(5), in -> in, s -> {});
        CompletableFuture<Integer> waiting = b.submit(1);
        // taken off the queue into the batch being collected; the worker waits up to 5 s for more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.queued() > 0) {
            assertThat(System.nanoTime()).as("the worker takes the request").isLessThan(deadline);
            Thread.sleep(5);
        }
        b.close();
        assertThatThrownBy(() -> waiting.get(1, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed before scoring");
    }

    @Test
    void closeFailsWhatIsStillQueued() {
        MicroBatcher<Integer, Integer> b = new MicroBatcher<>("t", 1, Duration.ZERO, in -> in, s -> {});
        b.close();
        assertThat(b.submit(1)).isCompletedExceptionally();
    }
}
