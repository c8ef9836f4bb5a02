package io.lipsyncguard.job.media;

/** Where the mouth lies inside a frontal face box, as pure geometry. */
public final class MouthRegion {

    private MouthRegion() {}

    /**
     * The mouth rectangle {x, y, w, h} for a face box, clipped to the image: the middle half of the width and the band
     * from 62% to 95% of the height. Haar boxes run from the brows to just under the chin, so this band holds the lips
     * with some margin for jaw motion. Returns null when the clipped region is empty.
     */
    public static int[] of(int faceX, int faceY, int faceW, int faceH, int imageW, int imageH) {
        int x0 = faceX + Math.round(0.25f * faceW);
        int x1 = faceX + Math.round(0.75f * faceW);
        int y0 = faceY + Math.round(0.62f * faceH);
        int y1 = faceY + Math.round(0.95f * faceH);
        x0 = Math.max(0, x0);
        y0 = Math.max(0, y0);
        x1 = Math.min(imageW, x1);
        y1 = Math.min(imageH, y1);
        if (x1 - x0 < 2 || y1 - y0 < 2) {
            return null;
        }
        return new int[] {x0, y0, x1 - x0, y1 - y0};
    }
}
