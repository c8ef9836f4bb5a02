package io.lipsyncguard.models;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.io.IOException;
import java.nio.file.Path;

/** Opens ONNX Runtime sessions on the requested device from the single per-JVM {@link OrtEnvironment}. */
public final class OrtSessionFactory {

    private static final Logger LOG = LoggerFactory.getLogger(OrtSessionFactory.class);
    private static final Path DEVICES = Path.of("/dev");

    private OrtSessionFactory() {
    }

    /** The JVM-wide ORT environment (ORT itself keeps one per process; never close it). */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /** True when an NVIDIA device node is visible; the cheap test that avoids loading the CUDA provider on CPU hosts. */
    public static boolean gpuPresent() {
        return gpuPresent(DEVICES);
    }

    /**
     * Whether {@code devices} holds a GPU's node, {@code nvidia0}, {@code nvidia1}, ...: a container given the host's
     * fourth GPU sees it as {@code /dev/nvidia3} (the nodes keep the host's numbers), not {@code nvidia0}; the
     * driver's own nodes ({@code nvidiactl}, {@code nvidia-uvm}) are no GPU.
     */
    static boolean gpuPresent(Path devices) {
        try (var entries = Files.list(devices)) {
            return entries.anyMatch(p -> p.getFileName().toString().matches("nvidia[0-9]+"));
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** Opens {@code onnx} on {@code device}; AUTO falls back to CPU (with a warning) when CUDA cannot be used. */
    public static OpenedSession open(Path onnx, Device device) {
        if (!Files.isRegularFile(onnx)) {
            throw new ModelContractException("ONNX model file not found: " + onnx.toAbsolutePath());
        }
        return open(onnx.toString(), opts -> environment().createSession(onnx.toString(), opts), device,
                gpuPresent());
    }

    /**
     * Opens the model held in {@code bytes} (read from {@code name}) on {@code device}: the bytes whose hash was
     * checked are the bytes that run, and a model whose weights sit in external data files, which no hash covers,
     * does not open.
     */
    public static OpenedSession open(byte[] bytes, String name, Device device) {
        return open(bytes, name, device, gpuPresent());
    }

    /** How a session is made from session options: from a path or from bytes. */
    private interface SessionSource {
        OrtSession create(OrtSession.SessionOptions options) throws OrtException;
    }

    /** As {@link #open(byte[], String, Device)} with {@code gpu} for whether a GPU's node is visible. */
    static OpenedSession open(byte[] bytes, String name, Device device, boolean gpu) {
        return open(name, opts -> environment().createSession(bytes, opts), device, gpu);
    }

    private static OpenedSession open(String onnx, SessionSource source, Device device, boolean gpu) {
        return switch (device) {
            case CPU -> openCpu(onnx, source, "CPU requested");
            case CUDA -> {
                if (!gpu) {
                    throw new IllegalStateException("device CUDA requested for " + onnx + " but no GPU is visible ("
                            + "no /dev/nvidia<N> node); use --device cpu or auto");
                }
                try {
                    yield openCuda(onnx, source, "CUDA requested");
                } catch (OrtException e) {
                    throw new IllegalStateException("device CUDA requested for " + onnx
                            + " but the CUDA execution provider could not be initialised: " + e.getMessage(), e);
                }
            }
            case AUTO -> {
                if (!gpu) {
                    yield openCpu(onnx, source, "AUTO: no GPU (/dev/nvidia<N>) visible, using CPU");
                }
                try {
                    yield openCuda(onnx, source, "AUTO: a GPU (/dev/nvidia<N>) is visible, using CUDA");
                } catch (OrtException e) {
                    LOG.warn("AUTO: GPU visible but CUDA provider failed ({}); falling back to CPU", e.getMessage());
                    yield openCpu(onnx, source, "AUTO: CUDA provider failed (" + e.getMessage() + "), using CPU");
                }
            }
        };
    }

    private static OpenedSession openCuda(String onnx, SessionSource source, String reason) throws OrtException {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.addCUDA(0);
            OrtSession s = source.create(opts);
            LOG.info("opened {} on CUDA:0 ({})", onnx, reason);
            return new OpenedSession(s, Device.CUDA, reason);
        }
    }

    private static OpenedSession openCpu(String onnx, SessionSource source, String reason) {
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            OrtSession s = source.create(opts);
            LOG.info("opened {} on CPU ({})", onnx, reason);
            return new OpenedSession(s, Device.CPU, reason);
        } catch (OrtException e) {
            throw new ModelContractException("ONNX Runtime cannot open " + onnx + ": " + e.getMessage(), e);
        }
    }
}
