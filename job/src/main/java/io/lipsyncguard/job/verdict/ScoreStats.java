package io.lipsyncguard.job.verdict;

/**
 * Statistics of the scored windows' probabilities, and the video-level score the decision used.
 *
 * @param mean Welford mean of the window scores
 * @param variance population variance of the window scores
 * @param count scored windows
 * @param video the video-level desync probability read from the average lag curve (null when the model gives no
 *     curve or the manifest no video calibration; the decision then uses {@code mean})
 */
public record ScoreStats(double mean, double variance, long count, Double video) {}
