package io.lipsyncguard.job.media;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Decodes a media file or an in-memory chunk with FFmpeg and reduces it to what windowing needs: one mouth crop and
 * face evidence per frame of a fixed-rate grid, and mono audio at the target rate, both placed by media timestamps.
 */
public final class MediaFeatureExtractor {

    /** Pass as {@code originUs} to take the first video timestamp (or audio, without video) as the origin. */
    public static final long ORIGIN_FROM_MEDIA = Long.MIN_VALUE;

    /**
     * Furthest timestamps may move on between two frames (or two audio pieces) of a video and still be placed by them:
     * lost media leaves a real gap, but a jump beyond this is a timestamp discontinuity (an encoder restart, a clock
     * that wrapped or jumped), whose placement would spread the video over hours of empty frames.
     */
    public static final long MAX_TIMESTAMP_GAP_MS = 60_000;
    /** Furthest timestamps may go back (overlapping segments, a reordered frame) before it counts as a jump. */
    public static final long MAX_TIMESTAMP_OVERLAP_MS = 1_000;

    /** Grid frames between whole-frame face searches while a face is tracked (1 s at 25 fps). */
    static final int FULL_SEARCH_EVERY_FRAMES = 25;

    /**
     * Audio pieces closer than this to the expected position are butted together: the rounding of packet timestamps
     * to the 16 kHz grid (measured on the clips in ../shared/data: ±1 sample, once 17 samples). A real gap or overlap
     * beyond it (a lost 10 or 20 ms Opus or AAC packet, a splice) is kept where its timestamps put it; butted, it moved
     * all later sound of the decode earlier by up to the tolerance (it was 20 ms, half a frame).
     */
    static final double AUDIO_JOIN_TOLERANCE_S = 0.002;

    private MediaFeatureExtractor() {}

    /** Decodes a file FFmpeg can open (MP4, MKV, WebM, AVI, MPEG-TS, ...). */
    public static MediaFeatures extract(Path file, MediaSpec spec, long originUs) throws MediaDecodeException {
        return extract(file, spec, originUs, 0L);
    }

    /**
     * As {@link #extract(Path, MediaSpec, long)}; when {@code originUs} is {@link #ORIGIN_FROM_MEDIA}, the first video
     * frame is placed at {@code firstFrameAtUs} (e.g. a chunk's media start from its headers) instead of at 0.
     */
    public static MediaFeatures extract(Path file, MediaSpec spec, long originUs, long firstFrameAtUs)
            throws MediaDecodeException {
        return extract(file, spec, originUs, firstFrameAtUs, new FaceTrackState());
    }

    /** As above, continuing (and updating) the face track of earlier chunks of the same video. */
    public static MediaFeatures extract(Path file, MediaSpec spec, long originUs, long firstFrameAtUs,
            FaceTrackState track) throws MediaDecodeException {
        return whole(openSegmented(file, spec, originUs, firstFrameAtUs, track, Integer.MAX_VALUE));
    }

    /**
     * As {@link #extract(Path, MediaSpec, long, long, FaceTrackState)}, but as a decode its caller steps through
     * ({@link SegmentedDecode#next()}) and closes, one piece of {@code segmentFrames} decoded video frames at a time:
     * a long file costs the memory of one segment, and its windows can be cut while it decodes. The pieces are exactly
     * the whole decode cut at frame boundaries (the grid and the audio placement carry on across them).
     */
    public static SegmentedDecode openSegmented(Path file, MediaSpec spec, long originUs, long firstFrameAtUs,
            FaceTrackState track, int segmentFrames) throws MediaDecodeException {
        if (!Files.isReadable(file)) {
            throw new MediaDecodeException("cannot read " + file + ": no such readable file");
        }
        if (!Files.isRegularFile(file)) {
            // a FIFO without a writer would block the decoder, and every video keyed to this subtask, for ever
            throw new MediaDecodeException("cannot read " + file + ": not a regular file (a pipe or a device)");
        }
        return SegmentedDecode.open(new FFmpegFrameGrabber(file.toFile()), spec, originUs, firstFrameAtUs, track,
                file.toString(), segmentFrames);
    }

    /**
     * Decodes an in-memory chunk. {@code formatHint} is an FFmpeg demuxer name ("mpegts", "mp4", "matroska") or null
     * to let FFmpeg probe.
     */
    public static MediaFeatures extract(byte[] bytes, String formatHint, MediaSpec spec, long originUs)
            throws MediaDecodeException {
        return extract(bytes, formatHint, spec, originUs, 0L);
    }

    /** As {@link #extract(Path, MediaSpec, long, long)} for an in-memory chunk. */
    public static MediaFeatures extract(byte[] bytes, String formatHint, MediaSpec spec, long originUs,
            long firstFrameAtUs) throws MediaDecodeException {
        return extract(bytes, formatHint, spec, originUs, firstFrameAtUs, new FaceTrackState());
    }

    /** As above, continuing (and updating) the face track of earlier chunks of the same video. */
    public static MediaFeatures extract(byte[] bytes, String formatHint, MediaSpec spec, long originUs,
            long firstFrameAtUs, FaceTrackState track) throws MediaDecodeException {
        return whole(openSegmented(bytes, formatHint, spec, originUs, firstFrameAtUs, track, Integer.MAX_VALUE));
    }

    /** As {@link #openSegmented(Path, MediaSpec, long, long, FaceTrackState, int)} for an in-memory chunk. */
    public static SegmentedDecode openSegmented(byte[] bytes, String formatHint, MediaSpec spec, long originUs,
            long firstFrameAtUs, FaceTrackState track, int segmentFrames) throws MediaDecodeException {
        if (bytes == null || bytes.length == 0) {
            throw new MediaDecodeException("empty chunk: no bytes to decode");
        }
        // A non-fragmented MP4 keeps its index at the end: without maximumSize >= length FFmpeg cannot seek back to the
        // samples and silently yields nothing.
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(new ByteArrayInputStream(bytes), bytes.length);
        if (formatHint != null) {
            grabber.setFormat(formatHint);
        }
        return SegmentedDecode.open(grabber, spec, originUs, firstFrameAtUs, track,
                bytes.length + " bytes" + (formatHint == null ? "" : " of " + formatHint), segmentFrames);
    }

    /** The one segment of a decode opened with an unbounded segment length: the whole media. */
    private static MediaFeatures whole(SegmentedDecode decode) throws MediaDecodeException {
        try (decode) {
            return decode.next();
        }
    }

    /**
     * One piece of a decode: takes the settled grid slots out of {@code grid} and the audio decoded since the
     * previous piece out of {@code audioTimes}/{@code audioPieces}, which it empties.
     */
    static MediaFeatures takeSegment(Grid grid, long origin, List<long[]> audioTimes,
            List<float[]> audioPieces, long[] audioExpected, MediaSpec spec, boolean hasVideo, int width, int height,
            double sourceFps, int decoded, boolean videoStream) {
        Grid.Slots slots = grid.drain();
        long audioStart = 0;
        float[] audio = new float[0];
        if (!audioPieces.isEmpty()) {
            long[] start = new long[1];
            audio = placeAudio(audioTimes, audioPieces, origin, spec.sampleRate(), start, audioExpected);
            audioStart = start[0];
            audioTimes.clear();
            audioPieces.clear();
        }
        return new MediaFeatures(origin, slots.first(), slots.count(), slots.crops(), slots.faceFound(),
                slots.faceCount(), audioStart, audio, hasVideo, audioExpected[0] != Long.MIN_VALUE, width, height,
                sourceFps, decoded, videoStream);
    }

    static byte[] mouthCrop(Mat gray, float[] box, MediaSpec spec, Mat out) {
        int[] r = MouthRegion.of(Math.round(box[0]), Math.round(box[1]), Math.round(box[2]), Math.round(box[3]),
                gray.cols(), gray.rows());
        if (r == null) {
            return null;
        }
        try (Rect rect = new Rect(r[0], r[1], r[2], r[3]); Mat roi = new Mat(gray, rect)) {
            return resizedBytes(roi, spec, opencv_imgproc.INTER_AREA, out);
        }
    }

    /**
     * The face box grown to a square 1.3× its size (clipped to the frame), resized to the crop size, as interleaved BGR
     * bytes: the input of SyncNet-style models, which see the whole face (see {@link SyncNetFaceCrops}).
     */
    static byte[] faceCrop(Mat bgr, float[] box, MediaSpec spec, Mat out) {
        int[] r = FaceTrack.square(box, bgr.cols(), bgr.rows());
        if (r[2] < 8 || r[3] < 8) {
            return null;
        }
        int[] s = FaceTrack.unclippedSquare(box);
        if (s[0] == r[0] && s[1] == r[1] && s[2] == r[2] && s[3] == r[3]) {
            try (Rect rect = new Rect(r[0], r[1], r[2], r[3]); Mat roi = new Mat(bgr, rect)) {
                return resizedBytes(roi, spec, opencv_imgproc.INTER_LINEAR, out);
            }
        }
        // a face at the frame's edge: the square stays square and centred on it, the part outside the frame grey
        // (110, as syncnet_python pads its frames); clipped, the crop would be stretched into the square input
        try (Mat square = new Mat(s[3], s[2], bgr.type(), new org.bytedeco.opencv.opencv_core.Scalar(
                        FACE_PAD_GREY, FACE_PAD_GREY, FACE_PAD_GREY, 0));
                Rect from = new Rect(r[0], r[1], r[2], r[3]); Mat src = new Mat(bgr, from);
                Rect to = new Rect(r[0] - s[0], r[1] - s[1], r[2], r[3]); Mat dst = new Mat(square, to)) {
            src.copyTo(dst);
            return resizedBytes(square, spec, opencv_imgproc.INTER_LINEAR, out);
        }
    }

    /** Grey level of the border syncnet_python pads its frames with before cutting face squares. */
    static final int FACE_PAD_GREY = 110;

    /** The whole frame resized to the crop size (bilinear, as LipFD's cv2.resize), BGR bytes. */
    static byte[] wholeFrame(Mat bgr, MediaSpec spec, Mat out) {
        return resizedBytes(bgr, spec, opencv_imgproc.INTER_LINEAR, out);
    }

    /** {@code picture} resized into {@code out} at the spec's crop size, as its bytes. */
    private static byte[] resizedBytes(Mat picture, MediaSpec spec, int interpolation, Mat out) {
        try (Size size = new Size(spec.cropWidth(), spec.cropHeight())) {
            opencv_imgproc.resize(picture, out, size, 0, 0, interpolation);
        }
        byte[] pixels = new byte[spec.cropPixels()];
        out.data().get(pixels);
        return pixels;
    }

    /**
     * Lays timestamped audio pieces onto one sample array relative to the origin; returns the samples and writes the
     * index of the first sample into {@code startOut[0]}.
     */
    static float[] placeAudio(List<long[]> times, List<float[]> pieces, long originUs, int sampleRate,
            long[] startOut) {
        return placeAudio(times, pieces, originUs, sampleRate, startOut, new long[] {Long.MIN_VALUE});
    }

    /**
     * As above, continuing from where the previous pieces of the same decode ended ({@code expectedInOut[0]}, the
     * sample after them, or {@code Long.MIN_VALUE}), which it updates.
     */
    static float[] placeAudio(List<long[]> times, List<float[]> pieces, long originUs, int sampleRate,
            long[] startOut, long[] expectedInOut) {
        long tolerance = Math.round(AUDIO_JOIN_TOLERANCE_S * sampleRate);
        long[] positions = new long[pieces.size()];
        long expected = expectedInOut[0];
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < pieces.size(); i++) {
            long pos = Math.round((times.get(i)[0] - originUs) * (double) sampleRate / 1_000_000d);
            if (expected != Long.MIN_VALUE && Math.abs(pos - expected) <= tolerance) {
                pos = expected;
            }
            positions[i] = pos;
            expected = pos + pieces.get(i).length;
            min = Math.min(min, pos);
            max = Math.max(max, expected);
        }
        float[] out = new float[(int) (max - min)];
        for (int i = 0; i < pieces.size(); i++) {
            System.arraycopy(pieces.get(i), 0, out, (int) (positions[i] - min), pieces.get(i).length);
        }
        startOut[0] = min;
        expectedInOut[0] = expected;
        return out;
    }

    static void release(FFmpegFrameGrabber grabber) {
        try {
            grabber.close();
        } catch (Exception ignored) {
            // nothing useful to do: the decode result or error is already determined
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        // JavaCV's advice to its API's user, not to whoever reads why a video was not analysed
        return m.replace(" (Has setFormat() been called?)", "")
                .replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "")
                // the in-memory stream's Java identity, which says nothing about the chunk
                .replaceAll(" \"java\\.io\\.\\w+@\\p{XDigit}+\"", "");
    }

    /**
     * Resamples decoded frames onto the fixed-rate grid by nearest timestamp: each grid slot takes the decoded frame
     * closest to its time, so a 30 fps source drops frames and a 15 fps source repeats them.
     */
    /**
     * Longest gap between two decoded frames that is filled with their blend, within one decode (Grid) and between
     * two (WindowCutter); a longer one is a stall or lost frames.
     */
    public static final long BLEND_GAPS_UP_TO_US = 250_000;

    static final class Grid {
        /** Frames further apart than this many grid periods are blended into the slots between them ... */
        static final double BLEND_ABOVE = 1.1;
        /** ... up to this gap: a longer one is a stall or lost frames, held as it was (the frozen-picture gate's). */
        static final long BLEND_UP_TO_US = BLEND_GAPS_UP_TO_US;

        private final MediaSpec spec;
        private long first = Long.MIN_VALUE;
        private int count;
        private byte[] crops = new byte[0];
        private boolean[] face = new boolean[0];
        private byte[] faces = new byte[0];
        private long prevTs = Long.MIN_VALUE;
        private byte[] prevCrop;
        private boolean prevFace;
        private int prevFaces;
        private long lastDelta;
        /** Whether {@link #settleLast} gave the last decoded frame its slots (until the next frame). */
        private boolean lastSettled;

        Grid(MediaSpec spec) {
            this.spec = spec;
        }

        void offer(long tsUs, byte[] crop, boolean faceFound, int faceCount) {
            if (prevTs == Long.MIN_VALUE) {
                first = Math.max(0, Math.round(tsUs * (double) spec.fps() / 1_000_000d));
            } else if (tsUs > prevTs) {
                lastDelta = tsUs - prevTs;
                long period = 1_000_000L / spec.fps();
                if (lastDelta > BLEND_ABOVE * period && lastDelta <= BLEND_UP_TO_US) {
                    fillBlended(tsUs, crop, faceFound, faceCount);
                } else {
                    fillUntil((prevTs + tsUs) / 2);
                }
            } else {
                return; // a frame that goes back in time (broken timestamps) would reorder the grid
            }
            prevTs = tsUs;
            prevCrop = crop;
            prevFace = faceFound;
            prevFaces = faceCount;
            lastSettled = false;
        }

        void finish(double sourceFps) {
            if (prevTs == Long.MIN_VALUE) {
                first = 0;
                return;
            }
            fillUntil(prevTs + frameDuration(sourceFps) / 2);
            if (count == 0 && !lastSettled) {
                append();
            }
        }

        /**
         * Gives the last decoded frame the slots it has whatever comes next, as far as half a grid period past it
         * (the next frame's midpoint is not before that unless frames come closer than they did): a picture stream
         * that stopped while the sound goes on would otherwise hold its last frame back until the media ends.
         */
        void settleLast(double sourceFps) {
            if (prevTs == Long.MIN_VALUE || lastSettled) {
                return;
            }
            fillUntil(prevTs + Math.min(frameDuration(sourceFps), 1_000_000L / spec.fps()) / 2);
            lastSettled = true;
        }

        private long frameDuration(double sourceFps) {
            return lastDelta > 0 ? lastDelta : (long) (1_000_000d / (sourceFps > 0 ? sourceFps : spec.fps()));
        }

        /**
         * Grid slots up to frame {@code tsUs} of a source slower than the grid get the blend of the frames on either
         * side by time: holding each frame instead repeats one slot in five at 20 fps, and every repeat is a slot
         * without mouth motion, a beat the sound does not have (a 20 fps copy of a real clip read as FAKE). Evidence
         * (face found, face count) comes from the nearer frame.
         */
        private void fillBlended(long tsUs, byte[] crop, boolean faceFound, int faceCount) {
            int px = spec.cropPixels();
            while (spec.frameStartUs(first + count) < tsUs) {
                double w = Math.min(1, Math.max(0,
                        (spec.frameStartUs(first + count) - prevTs) / (double) (tsUs - prevTs)));
                boolean nearer = w >= 0.5;
                // a blend needs a face on both sides; else the nearer frame gives crop and evidence alike, so that
                // a slot never says "face" over a crop that is not one
                byte[] slot = nearer ? crop : prevCrop;
                if (w > 0 && prevCrop != null && crop != null) {
                    slot = new byte[px];
                    for (int i = 0; i < px; i++) {
                        slot[i] = (byte) Math.round((1 - w) * (prevCrop[i] & 0xFF) + w * (crop[i] & 0xFF));
                    }
                }
                append(slot, nearer ? faceFound : prevFace, nearer ? faceCount : prevFaces);
            }
        }

        // Grid slots whose time lies before {@code limitUs} get the previous decoded frame.
        private void fillUntil(long limitUs) {
            while (spec.frameStartUs(first + count) < limitUs) {
                append();
            }
        }

        /** The previous decoded frame in the next slot. */
        private void append() {
            append(prevCrop, prevFace, prevFaces);
        }

        private void append(byte[] crop, boolean faceFound, int faceCount) {
            int px = spec.cropPixels();
            if (count == face.length) {
                int cap = Math.max(64, count * 2);
                crops = Arrays.copyOf(crops, cap * px);
                face = Arrays.copyOf(face, cap);
                faces = Arrays.copyOf(faces, cap);
            }
            if (crop != null) {
                System.arraycopy(crop, 0, crops, count * px, px);
            } else {
                // the array is reused after a drain: a slot without a face is zeros, not an earlier segment's mouth
                Arrays.fill(crops, count * px, (count + 1) * px, (byte) 0);
            }
            face[count] = faceFound;
            faces[count] = (byte) Math.min(127, faceCount);
            count++;
        }

        /** Settled grid slots, taken out of the grid, which goes on from the next slot. */
        record Slots(long first, int count, byte[] crops, boolean[] faceFound, byte[] faceCount) {}

        /** Hands over the slots filled so far and starts empty at the next one, keeping the last decoded frame. */
        Slots drain() {
            if (prevTs == Long.MIN_VALUE) {
                first = Math.max(0, first);
            }
            Slots slots = new Slots(first, count, Arrays.copyOf(crops, count * spec.cropPixels()),
                    Arrays.copyOf(face, count), Arrays.copyOf(faces, count));
            first += count;
            count = 0;
            return slots;
        }
    }
}
