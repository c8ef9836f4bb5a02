package io.lipsyncguard.models;

import ai.onnxruntime.OrtSession;

/** An ORT session together with the device it really runs on (CUDA or CPU) and why that device was chosen. */
public record OpenedSession(OrtSession session, Device device, String reason) {
}
