package io.lipsyncguard.job.media;

/**
 * The face tracker's memory between decodes of one video, so that a video fed in chunks tracks (and crops) exactly
 * as the same video decoded in one piece: the current box, whether the last detection found it, and on which grid
 * frames the detector last ran and last searched the whole frame, and the picture size the box is in. Kept in the
 * decoder's keyed state as a POJO.
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

    /** An independent copy, for a decode whose result is kept only if it succeeds. */
    public FaceTrackState copy() {
        FaceTrackState c = new FaceTrackState();
        c.box = box == null ? null : box.clone();
        c.lost = lost;
        c.faces = faces;
        c.lastDetectFrame = lastDetectFrame;
        c.lastFullDetectFrame = lastFullDetectFrame;
        c.frameWidth = frameWidth;
        c.frameHeight = frameHeight;
        return c;
    }
}
