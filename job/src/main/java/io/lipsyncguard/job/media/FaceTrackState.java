package io.lipsyncguard.job.media;

/**
 * The face tracker's memory between decodes of one video, so that a video fed in chunks tracks (and crops) exactly
 * as the same video decoded in one piece: the current box, whether the last detection found it, and on which grid
 * frames the detector last ran and last searched the whole frame, and the picture size the box is in.
 */
public final class FaceTrackState {
    public float[] box;
    public boolean lost = true;
    public int faces;
    public long lastDetectFrame = Long.MIN_VALUE;
    public long lastFullDetectFrame = Long.MIN_VALUE;
    /** Size of the picture the box belongs to; 0 before the first frame. */
    public int frameWidth;
    public int frameHeight;

    public FaceTrackState() {}

    public FaceTrackState(float[] box, boolean lost, int faces, long lastDetectFrame, long lastFullDetectFrame,
            int frameWidth, int frameHeight) {
        this.box = box;
        this.lost = lost;
        this.faces = faces;
        this.lastDetectFrame = lastDetectFrame;
        this.lastFullDetectFrame = lastFullDetectFrame;
        this.frameWidth = frameWidth;
        this.frameHeight = frameHeight;
    }
}
