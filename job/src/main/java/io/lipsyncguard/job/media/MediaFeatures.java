package io.lipsyncguard.job.media;

/**
 * What one decode produced, on the video's 25 fps grid: a mouth crop and face evidence per grid frame, and the 16 kHz
 * mono audio placed by its timestamps.
 *
 * @param originUs media time (µs) of grid frame 0 and audio sample 0
 * @param firstFrame grid index of the first frame in {@code crops}
 * @param frameCount number of grid frames
 * @param crops {@code frameCount} grayscale crops of cropWidth*cropHeight bytes, row-major; zeros where no face
 * @param faceFound per grid frame, whether a tracked face box was current
 * @param faceCount per grid frame, faces of similar size to the dominant one at the last detection (0..127)
 * @param audioStartSample sample index (from the origin) of {@code audio[0]}
 * @param audio mono float samples in [-1, 1]
 * @param hasVideo whether the input had a decodable video stream
 * @param hasAudio whether the input had a decodable audio stream
 * @param sourceWidth width of the decoded video in pixels (0 without video)
 * @param sourceHeight height of the decoded video in pixels
 * @param sourceFps the container's frame rate before resampling
 * @param decodedFrames video frames FFmpeg decoded (before resampling to the grid)
 * @param videoStreamFound whether the input has a video stream, decodable or not
 */
public record MediaFeatures(
        long originUs,
        long firstFrame,
        int frameCount,
        byte[] crops,
        boolean[] faceFound,
        byte[] faceCount,
        long audioStartSample,
        float[] audio,
        boolean hasVideo,
        boolean hasAudio,
        int sourceWidth,
        int sourceHeight,
        double sourceFps,
        int decodedFrames,
        boolean videoStreamFound) {

    /**
     * The same features {@code frames} grid frames later (earlier when negative), the audio moved along by as many
     * frames of {@code samplesPerFrame} samples; the arrays are shared, not copied.
     */
    public MediaFeatures shifted(long frames, int samplesPerFrame) {
        if (frames == 0) {
            return this;
        }
        return new MediaFeatures(originUs, firstFrame + frames, frameCount, crops, faceFound, faceCount,
                audioStartSample + frames * samplesPerFrame, audio, hasVideo, hasAudio, sourceWidth, sourceHeight,
                sourceFps, decodedFrames, videoStreamFound);
    }

    /** Fraction of grid frames with a face. */
    public double faceFraction() {
        if (frameCount == 0) {
            return 0;
        }
        int n = 0;
        for (boolean f : faceFound) {
            if (f) {
                n++;
            }
        }
        return (double) n / frameCount;
    }
}
