package io.lipsyncguard.job.score;

/** Model outputs for one window, read by output meaning from the manifest. */
public record WindowResult(double score, double offsetFrames, double syncConfidence, float[] curve) {}
