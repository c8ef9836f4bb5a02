package io.lipsyncguard.job;

import io.lipsyncguard.models.Device;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;

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
 * @param detectMaxWidth downscale frames wider than this before face detection
 * @param rollingEveryWindows emit a ROLLING verdict every n scored-or-skipped windows (0: never)
 * @param idleTimeout a video with no new chunk for this long (processing time) gets a FINAL verdict with reason idle
 * @param maxInlineBytes chunks larger than this are rejected with an error record
 */
public record JobConfig(
        String modelManifest,
        Device device,
        int maxBatch,
        Duration maxBatchWait,
        Duration scoreTimeout,
        int asyncCapacity,
        int detectEveryFrames,
        int detectMaxWidth,
        int rollingEveryWindows,
        Duration idleTimeout,
        long maxInlineBytes) implements Serializable {

    public static JobConfig defaults(Path manifest) {
        return new JobConfig(manifest.toAbsolutePath().toString(), Device.AUTO, 16, Duration.ofMillis(20),
                Duration.ofMinutes(2), 64, 5, 320, 0, Duration.ofMinutes(2), 64L << 20);
    }

    public Path manifestPath() {
        return Path.of(modelManifest);
    }

    public JobConfig withDevice(Device d) {
        return new JobConfig(modelManifest, d, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectMaxWidth, rollingEveryWindows, idleTimeout, maxInlineBytes);
    }

    public JobConfig withRollingEveryWindows(int n) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectMaxWidth, n, idleTimeout, maxInlineBytes);
    }

    public JobConfig withBatching(int batch, Duration wait) {
        return new JobConfig(modelManifest, device, batch, wait, scoreTimeout, asyncCapacity, detectEveryFrames,
                detectMaxWidth, rollingEveryWindows, idleTimeout, maxInlineBytes);
    }

    public JobConfig withScoreTimeout(Duration timeout) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, timeout, asyncCapacity,
                detectEveryFrames, detectMaxWidth, rollingEveryWindows, idleTimeout, maxInlineBytes);
    }

    public JobConfig withIdleTimeout(Duration timeout) {
        return new JobConfig(modelManifest, device, maxBatch, maxBatchWait, scoreTimeout, asyncCapacity,
                detectEveryFrames, detectMaxWidth, rollingEveryWindows, timeout, maxInlineBytes);
    }
}
