package io.lipsyncguard.models;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** A validated manifest with its open ORT session and the device it runs on; closing it closes the session. */
public final class LoadedModel implements AutoCloseable {

    private final ModelManifest manifest;
    private final OrtSession session;
    private final Device device;

    LoadedModel(ModelManifest manifest, OrtSession session, Device device) {
        this.manifest = manifest;
        this.session = session;
        this.device = device;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public OrtSession session() {
        return session;
    }

    /** The device actually used (CUDA or CPU, never AUTO). */
    public Device device() {
        return device;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close ORT session of " + manifest.id(), e);
        }
    }
}
