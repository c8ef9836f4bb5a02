package io.lipsyncguard.job.score;

import java.util.Arrays;

/**
 * syncnet_python's read-out of SyncNet embeddings: for each video embedding the Euclidean distances to the audio
 * embeddings −vshift..+vshift frames away (audio zero-padded at both ends, torch's pairwise_distance eps included), the
 * mean distance per lag, offset = vshift − argmin, confidence = median − min.
 *
 * @param meanDistance mean distance per lag index 0..2·vshift (audio index = video index + lag index − vshift)
 * @param offset syncnet_python's offset in frames (positive: the audio is earlier than the lips; the opposite of the
 *     job's {@code offsetMs} sign)
 * @param confidence median − minimum of the mean distances
 */
public record SyncNetReadout(double[] meanDistance, int offset, double confidence) {

    /** torch.nn.functional.pairwise_distance's default eps. */
    static final double EPS = 1e-6;

    public static SyncNetReadout of(float[][] video, float[][] audio, int vshift) {
        int lags = 2 * vshift + 1;
        double[] mean = new double[lags];
        for (int i = 0; i < video.length; i++) {
            for (int j = 0; j < lags; j++) {
                int a = i + j - vshift;
                double sum = 0;
                for (int d = 0; d < video[i].length; d++) {
                    double x = video[i][d] - (a >= 0 && a < audio.length ? audio[a][d] : 0f) + EPS;
                    sum += x * x;
                }
                mean[j] += Math.sqrt(sum) / video.length;
            }
        }
        return fromMeans(mean, vshift);
    }

    /**
     * The same read-out inside a job window, where the audio context is real rather than zero padding: video stack i
     * is compared with audio stacks i..i+2·vshift ({@code audio.length == video.length + 2·vshift}), audio stack
     * i + vshift being the one aligned with it.
     */
    public static SyncNetReadout withContext(float[][] video, float[][] audio, int vshift) {
        if (audio.length != video.length + 2 * vshift) {
            throw new IllegalArgumentException(video.length + " video stacks need " + (video.length + 2 * vshift)
                    + " audio stacks, got " + audio.length);
        }
        int lags = 2 * vshift + 1;
        double[] mean = new double[lags];
        for (int i = 0; i < video.length; i++) {
            for (int j = 0; j < lags; j++) {
                double sum = 0;
                for (int d = 0; d < video[i].length; d++) {
                    double x = video[i][d] - audio[i + j][d] + EPS;
                    sum += x * x;
                }
                mean[j] += Math.sqrt(sum) / video.length;
            }
        }
        return fromMeans(mean, vshift);
    }

    // torch.median returns the lower middle value for an even count; 2·vshift+1 lags are odd anyway
    private static SyncNetReadout fromMeans(double[] mean, int vshift) {
        int argmin = 0;
        for (int j = 1; j < mean.length; j++) {
            if (mean[j] < mean[argmin]) {
                argmin = j;
            }
        }
        double[] sorted = mean.clone();
        Arrays.sort(sorted);
        return new SyncNetReadout(mean, vshift - argmin, sorted[(mean.length - 1) / 2] - mean[argmin]);
    }

    /** The offset in the job's convention, ms: positive when the audio is later than the lips. */
    public double offsetMs(int fps) {
        return -offset * 1000.0 / fps;
    }
}
