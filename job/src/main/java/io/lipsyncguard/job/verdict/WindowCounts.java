package io.lipsyncguard.job.verdict;

/**
 * Windows of a video by evidence class. Only {@code scored} windows count towards the score.
 *
 * @param total windows that reached the verdict (of those cut, a FINAL with {@code missing-windows} lacks some)
 * @param scored windows the model scored
 * @param noFace windows skipped for lack of a face
 * @param silent windows skipped for lack of speech
 * @param multiFace windows skipped because several faces of similar size were present
 * @param lowQuality windows skipped because the mouth crops were too flat or blurred to read
 * @param audioDropout windows skipped because their audio dropped to digital silence next to speech
 * @param frozenPicture windows skipped because the picture stood still (a frozen stream, a still image)
 * @param unscored windows the model failed on or did not answer in time
 */
public record WindowCounts(long total, long scored, long noFace, long silent, long multiFace, long lowQuality,
        long audioDropout, long frozenPicture, long unscored) {}
