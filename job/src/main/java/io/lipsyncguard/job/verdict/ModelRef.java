package io.lipsyncguard.job.verdict;

/** Which model produced a verdict. */
public record ModelRef(String id, String version) {}
