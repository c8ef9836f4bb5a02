package io.lipsyncguard.job.media;

import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
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

    /** Grid frames between whole-frame face searches while a face is tracked (1 s at 25 fps). */
    static final int FULL_SEARCH_EVERY_FRAMES = 25;

    /** Audio pieces closer than this to the expected position are butted together (resampler timestamp jitter). */
    private static final double AUDIO_JOIN_TOLERANCE_S = 0.02;

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
        if (!Files.isReadable(file)) {
            throw new MediaDecodeException("cannot read " + file + ": no such readable file");
        }
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        return decode(grabber, spec, originUs, firstFrameAtUs, track, file.toString());
    }

    /** Receives the successive pieces of a segmented decode; may fail, which ends the decode with that failure. */
    @FunctionalInterface
    public interface SegmentSink {
        void accept(MediaFeatures segment) throws Exception;
    }

    /** Thrown out of a segmented decode when its {@link SegmentSink} failed: the cause is the sink's, not FFmpeg's. */
    public static final class SegmentSinkException extends RuntimeException {
        SegmentSinkException(Exception cause) {
            super(cause);
        }
    }

    /**
     * As {@link #extract(Path, MediaSpec, long, long, FaceTrackState)}, but hands the features to {@code sink} every
     * {@code segmentFrames} decoded video frames (and once at the end) instead of holding the whole file: a long file
     * costs the memory of one segment, and its windows can be cut while it decodes. The pieces are exactly the whole
     * decode cut at frame boundaries (the grid and the audio placement carry on across them).
     */
    public static void extractInSegments(Path file, MediaSpec spec, long originUs, long firstFrameAtUs,
            FaceTrackState track, int segmentFrames, SegmentSink sink) throws MediaDecodeException {
        if (segmentFrames < 1) {
            throw new IllegalArgumentException("segmentFrames must be >= 1 but is " + segmentFrames);
        }
        if (!Files.isReadable(file)) {
            throw new MediaDecodeException("cannot read " + file + ": no such readable file");
        }
        decode(new FFmpegFrameGrabber(file.toFile()), spec, originUs, firstFrameAtUs, track, file.toString(),
                segmentFrames, sink);
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
        if (bytes == null || bytes.length == 0) {
            throw new MediaDecodeException("empty chunk: no bytes to decode");
        }
        // A non-fragmented MP4 keeps its index at the end: without maximumSize >= length FFmpeg cannot seek back to the
        // samples and silently yields nothing.
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(new ByteArrayInputStream(bytes), bytes.length);
        if (formatHint != null) {
            grabber.setFormat(formatHint);
        }
        return decode(grabber, spec, originUs, firstFrameAtUs, track, bytes.length + " bytes" + (formatHint == null ? "" : " of " + formatHint));
    }

    private static MediaFeatures decode(FFmpegFrameGrabber grabber, MediaSpec spec, long originUs,
            long firstFrameAtUs, FaceTrackState track, String what)
            throws MediaDecodeException {
        MediaFeatures[] whole = new MediaFeatures[1];
        decode(grabber, spec, originUs, firstFrameAtUs, track, what, Integer.MAX_VALUE, f -> whole[0] = f);
        return whole[0];
    }

    private static void decode(FFmpegFrameGrabber grabber, MediaSpec spec, long originUs, long firstFrameAtUs,
            FaceTrackState track, String what, int segmentFrames, SegmentSink sink) throws MediaDecodeException {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        grabber.setImageMode(spec.colour() ? FrameGrabber.ImageMode.COLOR : FrameGrabber.ImageMode.GRAY);
        grabber.setSampleMode(FrameGrabber.SampleMode.FLOAT);
        grabber.setSampleRate(spec.sampleRate());
        grabber.setAudioChannels(1);
        try {
            grabber.start();
        } catch (Exception | Error e) {
            release(grabber);
            throw new MediaDecodeException("FFmpeg cannot open " + what + ": " + rootMessage(e), e);
        }
        try (OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                FaceDetector detector = new FaceDetector(spec.detectSide());
                Mat cropMat = new Mat();
                Mat grayMat = new Mat();
                Mat uprightMat = new Mat()) {
            boolean hasVideo = grabber.hasVideo();
            boolean hasAudio = grabber.hasAudio();
            if (!hasVideo && !hasAudio) {
                throw new MediaDecodeException(what + " has neither a video nor an audio stream");
            }
            double sourceFps = grabber.getFrameRate();
            int rotation = hasVideo ? DisplayRotation.rotateCode(grabber.getDisplayRotation()) : -1;
            Grid grid = new Grid(spec);
            List<long[]> audioTimes = new ArrayList<>();
            List<float[]> audioPieces = new ArrayList<>();
            long origin = originUs;
            float[] box = track.box;
            boolean lost = track.lost;
            int faces = track.faces;
            int decoded = 0;
            int decodedInSegment = 0;
            long audioInSegment = 0;
            long[] audioExpected = {Long.MIN_VALUE};
            int width = 0;
            int height = 0;
            Frame frame;
            while (true) {
                try {
                    frame = grabber.grabFrame(hasAudio, hasVideo, true, false, false);
                } catch (Exception e) {
                    if (decoded == 0 && audioPieces.isEmpty()) {
                        throw new MediaDecodeException("FFmpeg cannot decode " + what + ": " + rootMessage(e), e);
                    }
                    break; // keep what decoded before a truncated tail
                }
                if (frame == null) {
                    break;
                }
                if (frame.image != null) {
                    Mat decodedPicture = converter.convert(frame);
                    if (decodedPicture == null || decodedPicture.empty()) {
                        continue;
                    }
                    Mat picture = DisplayRotation.apply(decodedPicture, rotation, uprightMat);
                    Mat gray = picture;
                    if (spec.colour()) {
                        opencv_imgproc.cvtColor(picture, grayMat, opencv_imgproc.COLOR_BGR2GRAY);
                        gray = grayMat;
                    }
                    width = gray.cols();
                    height = gray.rows();
                    if (box != null && track.frameWidth > 0
                            && (width != track.frameWidth || height != track.frameHeight)) {
                        // a live stream switched renditions: same picture, other size, so the box scales with it
                        box = FaceTrack.rescale(box, track.frameWidth, track.frameHeight, width, height);
                    }
                    track.frameWidth = width;
                    track.frameHeight = height;
                    if (origin == ORIGIN_FROM_MEDIA) {
                        origin = frame.timestamp - firstFrameAtUs;
                    }
                    // cadence on the grid, not on decoded frames, so chunk boundaries do not move detections
                    long gridFrame = Math.round((frame.timestamp - origin) * (double) spec.fps() / 1_000_000d);
                    if (track.lastDetectFrame == Long.MIN_VALUE
                            || gridFrame - track.lastDetectFrame >= spec.detectEveryFrames()
                            || gridFrame < track.lastDetectFrame) {
                        track.lastDetectFrame = gridFrame;
                        // a tracked face is searched near its box at its size; the whole frame (new faces, a second
                        // speaker) every FULL_SEARCH_EVERY_FRAMES, and whenever the near search finds nothing
                        boolean full = lost || box == null || track.lastFullDetectFrame == Long.MIN_VALUE
                                || gridFrame - track.lastFullDetectFrame >= FULL_SEARCH_EVERY_FRAMES
                                || gridFrame < track.lastFullDetectFrame;
                        List<float[]> found = detector.detect(gray, full ? null : box);
                        if (!full && found.isEmpty()) {
                            full = true;
                            found = detector.detect(gray, null);
                        }
                        if (full) {
                            track.lastFullDetectFrame = gridFrame;
                        }
                        int best = FaceTrack.dominant(found, box);
                        if (best >= 0) {
                            box = FaceTrack.smooth(box, found.get(best), 0.6f);
                            if (full) {
                                faces = FaceTrack.similarSized(found); // a near search cannot see other faces
                            }
                            lost = false;
                        } else {
                            lost = true;
                            faces = 0;
                        }
                    }
                    byte[] crop = null;
                    if (spec.wholeFrames()) {
                        crop = wholeFrame(picture, spec, cropMat);
                    } else if (!lost && box != null) {
                        crop = spec.faceCrops() ? faceCrop(picture, box, spec, cropMat)
                                : mouthCrop(gray, box, spec, cropMat);
                    }
                    boolean faceFound = spec.wholeFrames() ? !lost && box != null : crop != null;
                    grid.offer(frame.timestamp - origin, crop, faceFound, faces);
                    decoded++;
                    if (++decodedInSegment >= segmentFrames) {
                        // the grid slots before this frame are settled; the audio so far is placed on the same origin
                        sink(sink, takeSegment(grid, origin, audioTimes, audioPieces, audioExpected, spec,
                                decoded > 0, width, height, sourceFps, decodedInSegment));
                        decodedInSegment = 0;
                    }
                } else if (frame.samples != null && frame.samples.length > 0) {
                    FloatBuffer buf = ((FloatBuffer) frame.samples[0]).duplicate();
                    float[] s = new float[buf.remaining()];
                    buf.get(s);
                    audioTimes.add(new long[] {frame.timestamp});
                    audioPieces.add(s);
                    if (!hasVideo) {
                        // audio alone: the first sample is the origin (as it would be at the end), and the pieces go
                        // out by the same length as a video segment
                        if (origin == ORIGIN_FROM_MEDIA) {
                            origin = frame.timestamp - firstFrameAtUs;
                        }
                        audioInSegment += s.length;
                        if (audioInSegment >= (long) segmentFrames * spec.sampleRate() / spec.fps()) {
                            sink(sink, takeSegment(grid, origin, audioTimes, audioPieces, audioExpected, spec,
                                    false, width, height, sourceFps, 0));
                            audioInSegment = 0;
                        }
                    }
                }
            }
            if (origin == ORIGIN_FROM_MEDIA) {
                origin = audioTimes.isEmpty() ? 0 : audioTimes.get(0)[0] - firstFrameAtUs;
            }
            grid.finish(sourceFps);
            track.box = box;
            track.lost = lost;
            track.faces = faces;
            if (decoded == 0 && audioPieces.isEmpty() && audioExpected[0] == Long.MIN_VALUE) {
                throw new MediaDecodeException(what + " decoded to nothing: no video frame and no audio sample");
            }
            sink(sink, takeSegment(grid, origin, audioTimes, audioPieces, audioExpected, spec, decoded > 0,
                    width, height, sourceFps, decodedInSegment));
        } catch (MediaDecodeException | SegmentSinkException e) {
            throw e;
        } catch (Exception | Error e) {
            throw new MediaDecodeException("decoding " + what + " failed: " + rootMessage(e), e);
        } finally {
            release(grabber);
        }
    }

    /**
     * One piece of a decode: takes the settled grid slots out of {@code grid} and the audio decoded since the
     * previous piece out of {@code audioTimes}/{@code audioPieces}, which it empties.
     */
    private static MediaFeatures takeSegment(Grid grid, long origin, List<long[]> audioTimes,
            List<float[]> audioPieces, long[] audioExpected, MediaSpec spec, boolean hasVideo, int width, int height,
            double sourceFps, int decoded) {
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
                sourceFps, decoded);
    }

    /** Hands {@code f} to {@code sink}; a failure there comes out as a {@link SegmentSinkException}. */
    static void sink(SegmentSink sink, MediaFeatures f) {
        try {
            sink.accept(f);
        } catch (Exception e) {
            throw new SegmentSinkException(e);
        }
    }

    private static byte[] mouthCrop(Mat gray, float[] box, MediaSpec spec, Mat out) {
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
        try (Rect rect = new Rect(r[0], r[1], r[2], r[3]); Mat roi = new Mat(bgr, rect)) {
            return resizedBytes(roi, spec, opencv_imgproc.INTER_LINEAR, out);
        }
    }

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

    private static void release(FFmpegFrameGrabber grabber) {
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
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /**
     * Resamples decoded frames onto the fixed-rate grid by nearest timestamp: each grid slot takes the decoded frame
     * closest to its time, so a 30 fps source drops frames and a 15 fps source repeats them.
     */
    static final class Grid {
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

        Grid(MediaSpec spec) {
            this.spec = spec;
        }

        void offer(long tsUs, byte[] crop, boolean faceFound, int faceCount) {
            if (prevTs == Long.MIN_VALUE) {
                first = Math.max(0, Math.round(tsUs * (double) spec.fps() / 1_000_000d));
            } else if (tsUs > prevTs) {
                lastDelta = tsUs - prevTs;
                fillUntil((prevTs + tsUs) / 2);
            } else {
                return; // a frame that goes back in time (broken timestamps) would reorder the grid
            }
            prevTs = tsUs;
            prevCrop = crop;
            prevFace = faceFound;
            prevFaces = faceCount;
        }

        void finish(double sourceFps) {
            if (prevTs == Long.MIN_VALUE) {
                first = 0;
                return;
            }
            long duration = lastDelta > 0 ? lastDelta
                    : (long) (1_000_000d / (sourceFps > 0 ? sourceFps : spec.fps()));
            fillUntil(prevTs + duration / 2);
            if (count == 0) {
                append();
            }
        }

        // Grid slots whose time lies before {@code limitUs} get the previous decoded frame.
        private void fillUntil(long limitUs) {
            while (spec.frameStartUs(first + count) < limitUs) {
                append();
            }
        }

        private void append() {
            int px = spec.cropPixels();
            if (count == face.length) {
                int cap = Math.max(64, count * 2);
                crops = Arrays.copyOf(crops, cap * px);
                face = Arrays.copyOf(face, cap);
                faces = Arrays.copyOf(faces, cap);
            }
            if (prevCrop != null) {
                System.arraycopy(prevCrop, 0, crops, count * px, px);
            }
            face[count] = prevFace;
            faces[count] = (byte) Math.min(127, prevFaces);
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
