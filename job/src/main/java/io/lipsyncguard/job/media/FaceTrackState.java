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
    /**
     * The quarter turn (an OpenCV rotate code, -1 none) a stream without a display rotation is searched in, found when
     * its upright picture showed no face but a turned one did: video stored sideways with its rotation lost.
     */
    public int orientation = -1;
    /** Whole-frame searches so far that also looked in turned pictures (the first few of a stream). */
    public int orientationSearches;
    /** Of those, how many found a face upright, turned clockwise, turned counter-clockwise. */
    public int uprightHits;
    public int clockwiseHits;
    public int counterClockwiseHits;
    /** Whole-frame searches in a row that found no face in the adopted turn. */
    public int turnedMisses;
    /** Size of the picture the box belongs to; 0 before the first frame. */
    public int frameWidth;
    public int frameHeight;

    public FaceTrackState() {}

    /**
     * Counts a whole-frame search in an adopted turn ({@link #orientation}): after {@code revertAfter} in a row without
     * a face the turn is dropped and the search for one starts again, so a turn adopted on a faceless opening (a
     * chance detection in graphics, say) does not hide an upright face for the rest of the stream. True when the turn
     * was dropped now (this frame was still searched turned).
     */
    public boolean turnedSearch(boolean faceFound, int revertAfter) {
        if (orientation < 0) {
            return false;
        }
        turnedMisses = faceFound ? 0 : turnedMisses + 1;
        if (turnedMisses >= revertAfter) {
            orientation = -1;
            orientationSearches = 0;
            uprightHits = 0;
            clockwiseHits = 0;
            counterClockwiseHits = 0;
            turnedMisses = 0;
            return true;
        }
        return false;
    }

    /** An independent copy, for a decode whose result is kept only if it succeeds. */
    public FaceTrackState copy() {
        FaceTrackState c = new FaceTrackState();
        c.box = box == null ? null : box.clone();
        c.lost = lost;
        c.faces = faces;
        c.lastDetectFrame = lastDetectFrame;
        c.lastFullDetectFrame = lastFullDetectFrame;
        c.orientation = orientation;
        c.orientationSearches = orientationSearches;
        c.uprightHits = uprightHits;
        c.clockwiseHits = clockwiseHits;
        c.counterClockwiseHits = counterClockwiseHits;
        c.turnedMisses = turnedMisses;
        c.frameWidth = frameWidth;
        c.frameHeight = frameHeight;
        return c;
    }
}
