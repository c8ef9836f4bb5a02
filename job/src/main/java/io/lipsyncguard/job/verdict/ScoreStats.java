package io.lipsyncguard.job.verdict;

/** Mean and variance of the scored windows' probabilities, and how many there were. */
public record ScoreStats(double mean, double variance, long count) {}
