package io.lipsyncguard.job;

import io.lipsyncguard.models.Device;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * Typed settings of the workflow, parsed once by the CLI and shipped to every operator.
 *
 * @param modelManifest path of the model's manifest.json, readable on every task manager
 * @param device where ONNX Runtime runs
 * @param maxBatch most windows per model call
 * @param maxBatchWait longest a window waits for its batch to fill
 * @param scoreTimeout a window not scored by then counts as unscored (the job never restarts for it)
 * @param asyncCapacity windows in flight per scoring subtask; beyond it Flink backpressures
 * @param detectEveryFrames run the face detector every n-th frame
 * @param detectSide downscale frames whose shorter side is longer than this before face detection
 * @param rollingEveryWindows emit a ROLLING verdict every n windows (0: not by count)
 * @param rollingEveryMediaMs emit a ROLLING verdict every this much media time (0: not by time)
 * @param recentWindows how many of the latest scored windows the ROLLING verdict's recent statistics cover
 * @param idleTimeout a video with no new chunk for this long (processing time) gets a FINAL verdict with reason idle
 *     (zero: never)
 * @param stateTtl safety net: keyed state of a video untouched this long is dropped
 * @param maxInlineBytes chunks larger than this are rejected with an error record; a video may have
 *     {@link #maxBacklogBytes()} of chunks waiting behind a file or long chunk being decoded
 * @param interleaveDecodes decode referenced files and long inline chunks a segment per step, so checkpoints and other
 *     videos' chunks get through between segments (the streaming job); false decodes each in one go, as a bounded job
 *     must, since Flink drops the processing-time timers still pending when the input ends
 */
public record JobConfig(
        String modelManifest,
        Device device,
        int maxBatch,
        Duration maxBatchWait,
        Duration scoreTimeout,
        int asyncCapacity,
        int detectEveryFrames,
        int detectSide,
        int rollingEveryWindows,
        long rollingEveryMediaMs,
        int recentWindows,
        Duration idleTimeout,
        Duration stateTtl,
        long maxInlineBytes,
        boolean interleaveDecodes) implements Serializable {

    public JobConfig {
        // a negative timeout is due at once (every video closed as idle after its first chunk, every window timed
        // out): refused here, whichever command or test built the configuration
        for (Duration d : new Duration[] {maxBatchWait, scoreTimeout, idleTimeout, stateTtl}) {
            if (d != null && d.isNegative()) {
                throw new IllegalArgumentException("negative duration in the job configuration: maxBatchWait "
                        + maxBatchWait + ", scoreTimeout " + scoreTimeout + ", idleTimeout " + idleTimeout
                        + ", stateTtl " + stateTtl);
            }
        }
        if (rollingEveryWindows < 0 || rollingEveryMediaMs < 0) {
            throw new IllegalArgumentException("rolling verdicts every " + rollingEveryWindows + " windows or "
                    + rollingEveryMediaMs + " ms: neither may be negative (0: not that way)");
        }
    }

    public static JobConfig defaults(Path manifest) {
        return new JobConfig(manifest.toAbsolutePath().toString(), Device.AUTO, 16, Duration.ofMillis(20),
                Duration.ofMinutes(2), 64, 5, 320, 0, 0, 5, Duration.ZERO, Duration.ofDays(7), 64L << 20,
                true);
    }

    /**
     * Puts the per-video state TTL on a descriptor (none when {@code stateTtl} is zero): refreshed on every write, so
     * only videos that went silent without an END (and tombstones of ended ones) expire.
     */
    public <D extends StateDescriptor<?, ?>> D withStateTtl(D descriptor) {
        if (!stateTtl.isZero()) {
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl)
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
        return descriptor;
    }

    public Path manifestPath() {
        return Path.of(modelManifest);
    }

    public JobConfig withDevice(Device d) {
        return new JobConfig(modelManifest, d, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity, detectEveryFrames,
                detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, idleTimeout, stateTtl,
                maxInlineBytes, interleaveDecodes);
    }

    public JobConfig withRolling(int everyWindows, long everyMediaMs) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectSide, everyWindows, everyMediaMs, recentWindows, idleTimeout, stateTtl,
                maxInlineBytes, interleaveDecodes);
    }

    public JobConfig withBatching(int batch, Duration wait) {
        return new JobConfig(modelManifest, device, batch, wait, scoreTimeout, asyncCapacity, detectEveryFrames,
                detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, idleTimeout, stateTtl,
                maxInlineBytes, interleaveDecodes);
    }

    public JobConfig withScoreTimeout(Duration timeout) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, timeout, asyncCapacity, detectEveryFrames,
                detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, idleTimeout, stateTtl,
                maxInlineBytes, interleaveDecodes);
    }

    public JobConfig withAsyncCapacity(int capacity) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, capacity, detectEveryFrames,
                detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, idleTimeout, stateTtl,
                maxInlineBytes, interleaveDecodes);
    }

    public JobConfig withInterleavedDecodes(boolean interleave) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, idleTimeout,
                stateTtl, maxInlineBytes, interleave);
    }

    /**
     * Bytes of inline chunks a video may have waiting behind a decode in progress: as many as one chunk may hold (by
     * default 64 MiB, four Kafka records of the largest size the topics take).
     */
    public long maxBacklogBytes() {
        return maxInlineBytes;
    }

    public JobConfig withMaxInlineBytes(long bytes) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, idleTimeout,
                stateTtl, bytes, interleaveDecodes);
    }

    public JobConfig withIdleTimeout(Duration timeout) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, timeout,
                stateTtl, maxInlineBytes, interleaveDecodes);
    }

    public JobConfig withStateTimeToLive(Duration ttl) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectSide, rollingEveryWindows, rollingEveryMediaMs, recentWindows, idleTimeout,
                ttl, maxInlineBytes, interleaveDecodes);
    }
}
