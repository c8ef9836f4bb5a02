package io.lipsyncguard.models;

import java.util.Locale;

/** Where an ONNX session runs: AUTO picks CUDA when a GPU is visible, else CPU. */
public enum Device {
    AUTO, CUDA, CPU;

    /** Case-insensitive parse ("auto", "Cuda", "CPU"); the error lists the allowed values. */
    public static Device parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("device is null (allowed: auto, cuda, cpu)");
        }
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown device '" + s + "' (allowed: auto, cuda, cpu)", e);
        }
    }
}
