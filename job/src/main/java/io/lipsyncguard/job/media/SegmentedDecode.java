package io.lipsyncguard.job.media;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A decode in progress that hands out its features one segment at a time ({@link #next()}), so that its caller can
 * stop between segments (to let a checkpoint or another video through) and go on later; the segments are exactly the
 * whole decode cut at frame boundaries. Owns the grabber, the face detector and the OpenCV buffers until closed.
 */
public final class SegmentedDecode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentedDecode.class);
    private static final AtomicLong LAST_PHASE_WARNING_MS = new AtomicLong(Long.MIN_VALUE / 2);

    /** Whole-frame searches that also look in turned pictures: a stream's first few (five frames apart, untracked). */
    static final int ORIENTATION_SEARCHES = 6;
    /** Whole-frame searches in a row without a face after which an adopted turn is dropped (about 2 s while lost). */
    static final int TURN_REVERT_MISSES = 10;
    /**
     * Pictures above this many pixels (8192 × 8192; 8K UHD has 7680 × 4320) are refused. FFmpeg itself allows about
     * 268 million: one such picture, decoded and converted, is gigabytes of native memory, and a file that claims
     * them can take the task manager down, and the job with it, on every restart.
     */
    static final long MAX_PICTURE_PIXELS = 8192L * 8192;

    private final FFmpegFrameGrabber grabber;
    private final MediaSpec spec;
    private final long firstFrameAtUs;
    private final FaceTrackState track;
    private final String what;
    private final int segmentFrames;
    /** A segment's length in samples: how much sound alone goes out at a time. */
    private final long segmentSamples;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
    private final FaceDetector detector;
    private final Mat cropMat = new Mat();
    private final Mat grayMat = new Mat();
    private final Mat uprightMat = new Mat();
    private final Mat turnedMat = new Mat();
    private final boolean hasVideo;
    private final boolean hasAudio;
    private final double sourceFps;
    private final int rotation;
    private final MediaFeatureExtractor.Grid grid;
    private final List<long[]> audioTimes = new ArrayList<>();
    private final List<float[]> audioPieces = new ArrayList<>();
    private final long[] audioExpected = {Long.MIN_VALUE};
    private long origin;
    private float[] box;
    private boolean lost;
    private int faces;
    private int decoded;
    private int decodedInSegment;
    private long audioInSegment;
    /** Samples decoded since the last segment went out, with a picture stream too. */
    private long audioSinceTake;
    /** Samples decoded since the last picture. */
    private long audioSincePicture;

    /**
     * How many segments' worth of sound may come with no segment cut while pictures exist: a picture stream that
     * ended long before its sound would otherwise leave all the rest of the sound (an hour of it, with a few seconds
     * of picture) to the final segment, and to one fill and one mel computation of hours at once downstream.
     */
    static final int AUDIO_LEAD_SEGMENTS = 4;
    private int width;
    private int height;
    private long lastVideoUs = Long.MIN_VALUE;
    private long audioEndUs = Long.MIN_VALUE;
    private boolean ended;
    private boolean closed;
    private int outOfPhaseFrames;
    /** Whether the last stereo frame was mixed out of phase: the next one keeps that mix unless clearly otherwise. */
    private boolean mixedOutOfPhase;
    /** Audio frames with samples that are not numbers, warned about once. */
    private int nonFiniteWarnings;
    /** Timestamp of the first audio piece decoded, kept when pieces before any picture are dropped. */
    private long firstAudioUs = Long.MIN_VALUE;

    private SegmentedDecode(FFmpegFrameGrabber grabber, MediaSpec spec, long originUs, long firstFrameAtUs,
            FaceTrackState track, String what, int segmentFrames) {
        this.grabber = grabber;
        this.spec = spec;
        this.origin = originUs;
        this.firstFrameAtUs = firstFrameAtUs;
        this.track = track;
        this.what = what;
        this.segmentFrames = segmentFrames;
        this.segmentSamples = (long) segmentFrames * spec.sampleRate() / spec.fps();
        this.detector = new FaceDetector(spec.detectSide());
        // an audio file's cover image is a picture, not video: such a file is sound alone
        this.hasVideo = grabber.hasVideo() && !coverPicture(grabber.getFormatContext(), grabber.getVideoStream());
        this.hasAudio = grabber.hasAudio();
        this.sourceFps = grabber.getFrameRate();
        this.rotation = hasVideo ? DisplayRotation.rotateCode(grabber.getDisplayRotation()) : -1;
        this.grid = new MediaFeatureExtractor.Grid(spec);
        this.box = track.box;
        this.lost = track.lost;
        this.faces = track.faces;
    }

    /**
     * Starts {@code grabber} (which the decode owns from now on, also when this fails) and returns the decode, which
     * continues and updates {@code track}; a segment ends every {@code segmentFrames} decoded video frames (audio
     * alone: as many frames' worth of samples).
     */
    static SegmentedDecode open(FFmpegFrameGrabber grabber, MediaSpec spec, long originUs, long firstFrameAtUs,
            FaceTrackState track, String what, int segmentFrames) throws MediaDecodeException {
        if (segmentFrames < 1) {
            MediaFeatureExtractor.release(grabber);
            throw new IllegalArgumentException("segmentFrames must be >= 1 but is " + segmentFrames);
        }
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        grabber.setImageMode(spec.colour() ? FrameGrabber.ImageMode.COLOR : FrameGrabber.ImageMode.GRAY);
        grabber.setSampleMode(FrameGrabber.SampleMode.FLOAT);
        grabber.setSampleRate(spec.sampleRate());
        grabber.setAudioChannels(1);
        // packets without a pts (AVI with B-frames) get one from their dts: else the frame the decoder flushes at the
        // end has no time and reads as a jump back to 0, a discontinuity that failed the whole file
        grabber.setOption("fflags", "+genpts");
        // a playlist (HLS, DASH), a concat list or an image sequence opens further files and URLs that the reference
        // policy never saw: an .m3u8 under an allowed prefix read a file outside it, or fetched a URL. Media comes as
        // one file or chunk, so only demuxers of self-contained media are allowed, and no protocol but local files
        grabber.setOption("format_whitelist", MEDIA_DEMUXERS);
        grabber.setOption("protocol_whitelist", "file");
        try {
            grabber.start();
            int video = preferredVideoStream(grabber);
            int audio = preferredAudioStream(grabber);
            if (video != grabber.getVideoStream() || audio != grabber.getAudioStream()) {
                grabber.stop();
                grabber.setVideoStream(video);
                grabber.setAudioStream(audio);
                grabber.start();
            }
            // stereo comes as two channels (the resampler takes the change before the first sample) and is mixed
            // here, so that channels out of phase are caught before they cancel
            if (audioChannels(grabber) == 2) {
                grabber.setAudioChannels(2);
            }
        } catch (Exception | Error e) {
            MediaFeatureExtractor.release(grabber);
            String why = MediaFeatureExtractor.rootMessage(e);
            if (why.contains("avformat_open_input() error -22:")) {
                // FFmpeg logs the refusal by MEDIA_DEMUXERS but returns only EINVAL
                why += " (invalid input: also what a playlist or a list of other files gets, as only self-contained "
                        + "media is opened)";
            }
            throw new MediaDecodeException("FFmpeg cannot open " + what + ": " + why, e);
        }
        // before any picture is decoded (FFmpeg's max_pixels would refuse a cover image as well, failing files whose
        // sound alone is of use, and say only "could not open video codec")
        String oversized = oversizedPicture(grabber.getFormatContext(), grabber.getVideoStream());
        if (oversized != null) {
            MediaFeatureExtractor.release(grabber);
            throw new MediaDecodeException(what + " has " + oversized);
        }
        SegmentedDecode decode;
        try {
            decode = new SegmentedDecode(grabber, spec, originUs, firstFrameAtUs, track, what, segmentFrames);
        } catch (RuntimeException | Error e) {
            MediaFeatureExtractor.release(grabber);
            throw new MediaDecodeException("decoding " + what + " failed: " + MediaFeatureExtractor.rootMessage(e), e);
        }
        if (!decode.hasVideo && !decode.hasAudio) {
            decode.close();
            throw new MediaDecodeException(what + " has neither a video nor an audio stream");
        }
        return decode;
    }

    /**
     * What is over {@link #MAX_PICTURE_PIXELS} about video stream {@code v} of {@code oc}, or null: within the limit,
     * or a cover image.
     */
    static String oversizedPicture(AVFormatContext oc, int v) {
        if (oc == null || oc.isNull() || v < 0 || v >= oc.nb_streams() || coverPicture(oc, v)) {
            return null;
        }
        var par = oc.streams(v).codecpar();
        return par == null || par.isNull() ? null : oversized(par.width(), par.height());
    }

    /** What is over {@link #MAX_PICTURE_PIXELS} about pictures of this size, or null. */
    static String oversized(int width, int height) {
        return (long) width * height <= MAX_PICTURE_PIXELS ? null : "pictures of " + width + "x" + height
                + " pixels, over the limit of " + MAX_PICTURE_PIXELS + " (8192x8192)";
    }

    /** Channels of the audio stream the grabber decodes (0 without one). */
    static int audioChannels(FFmpegFrameGrabber grabber) {
        AVFormatContext oc = grabber.getFormatContext();
        int a = grabber.getAudioStream();
        return oc != null && a >= 0 && a < oc.nb_streams() ? oc.streams(a).codecpar().ch_layout().nb_channels() : 0;
    }

    /**
     * The video stream FFmpeg itself would play ({@code av_find_best_stream}: moving video before a cover image stored
     * first); the grabber's own choice when FFmpeg has none to offer.
     */
    static int preferredVideoStream(FFmpegFrameGrabber grabber) {
        return bestStream(grabber, avutil.AVMEDIA_TYPE_VIDEO, grabber.getVideoStream(), -1);
    }

    /** Whether stream {@code v} of {@code oc} is a cover image (an attached picture, as audio files carry one). */
    static boolean coverPicture(AVFormatContext oc, int v) {
        return v >= 0 && oc != null && v < oc.nb_streams()
                && (oc.streams(v).disposition() & avformat.AV_DISPOSITION_ATTACHED_PIC) != 0;
    }

    /**
     * The audio stream FFmpeg itself would play with the video ({@code av_find_best_stream}: the default track, not an
     * audio description or a dub that happens to come first, which the grabber would take); the grabber's own choice
     * when there is at most one audio stream or FFmpeg has none to offer.
     */
    static int preferredAudioStream(FFmpegFrameGrabber grabber) {
        return bestStream(grabber, avutil.AVMEDIA_TYPE_AUDIO, grabber.getAudioStream(), grabber.getVideoStream());
    }

    /** FFmpeg's best stream of {@code type} (near {@code related}), or {@code current} when it offers none. */
    private static int bestStream(FFmpegFrameGrabber grabber, int type, int current, int related) {
        if (current < 0 || grabber.getFormatContext() == null) {
            return current;
        }
        int best = avformat.av_find_best_stream(grabber.getFormatContext(), type, -1, related, (AVCodec) null, 0);
        return best >= 0 ? best : current;
    }

    /**
     * The next segment, or null once the final one has been handed out. The final segment also writes the face
     * track back into the {@link FaceTrackState} the decode was opened with. A failure closes the decode.
     */
    public MediaFeatures next() throws MediaDecodeException {
        if (ended) {
            return null;
        }
        if (closed) {
            throw new IllegalStateException("the decode of " + what + " is closed");
        }
        try {
            MediaFeatures segment = advance();
            if (segment == null) {
                segment = last();
                ended = true;
            }
            return segment;
        } catch (MediaDecodeException e) {
            close();
            throw e;
        } catch (Exception | Error e) {
            close();
            throw new MediaDecodeException("decoding " + what + " failed: " + MediaFeatureExtractor.rootMessage(e), e);
        }
    }

    /** Decodes until a segment is complete (and returns it) or the media ends (null). */
    private MediaFeatures advance() throws Exception {
        while (true) {
            Frame frame;
            try {
                frame = grabber.grabFrame(hasAudio, hasVideo, true, false, false);
            } catch (Exception e) {
                if (decoded == 0 && audioPieces.isEmpty() && audioExpected[0] == Long.MIN_VALUE) {
                    throw new MediaDecodeException(
                            "FFmpeg cannot decode " + what + ": " + MediaFeatureExtractor.rootMessage(e), e);
                }
                return null; // keep what decoded before a truncated tail
            }
            if (frame == null) {
                return null;
            }
            if (frame.image != null) {
                boolean decodedPicture = picture(frame);
                if (decodedPicture) {
                    audioSincePicture = 0;
                }
                if (decodedPicture && ++decodedInSegment >= segmentFrames) {
                    // the grid slots before this frame are settled; the audio so far is placed on the same origin
                    MediaFeatures segment = take(decoded > 0, decodedInSegment);
                    decodedInSegment = 0;
                    return segment;
                }
            } else if (frame.samples != null && frame.samples.length > 0) {
                float[] s = monoSamples(frame);
                audioEndUs = checkJump("audio", audioEndUs, frame.timestamp,
                        frame.timestamp + s.length * 1_000_000L / spec.sampleRate());
                audioTimes.add(new long[] {frame.timestamp});
                audioPieces.add(s);
                if (firstAudioUs == Long.MIN_VALUE) {
                    firstAudioUs = frame.timestamp;
                }
                if (hasVideo && decoded == 0) {
                    dropAudioBeforeAnyPicture(frame.timestamp);
                }
                audioSinceTake += s.length;
                audioSincePicture += s.length;
                long lead = AUDIO_LEAD_SEGMENTS * segmentSamples;
                if (hasVideo && decoded > 0 && audioSinceTake >= lead) {
                    // the pictures stopped (or lag far behind): the sound goes out in segments of bounded length,
                    // with the grid slots settled so far (segments are cut anywhere: windows do not depend on them);
                    // after that much sound without a picture, the last picture's own slot is settled too, else the
                    // cutter would fill it in as a frame without a face before the media's end brought it
                    if (audioSincePicture >= lead) {
                        grid.settleLast(sourceFps);
                    }
                    MediaFeatures segment = take(true, decodedInSegment);
                    decodedInSegment = 0;
                    return segment;
                }
                if (!hasVideo) {
                    // audio alone: the first sample is the origin (as it would be at the end), and the pieces go
                    // out by the same length as a video segment
                    if (origin == MediaFeatureExtractor.ORIGIN_FROM_MEDIA) {
                        origin = frame.timestamp - firstFrameAtUs;
                    }
                    audioInSegment += s.length;
                    if (audioInSegment >= segmentSamples) {
                        audioInSegment = 0;
                        return take(false, 0);
                    }
                }
            }
        }
    }

    /**
     * The frame's samples as mono: as they come, or mixed from two channels (see {@link StereoDownmix}); the sample mode
     * FLOAT makes the grabber hand out packed samples, two channels interleaved.
     */
    private float[] monoSamples(Frame frame) {
        FloatBuffer buf = ((FloatBuffer) frame.samples[0]).duplicate();
        float[] s = new float[buf.remaining()];
        buf.get(s);
        int notNumbers = 0;
        for (int i = 0; i < s.length; i++) {
            if (!Float.isFinite(s[i])) {
                // corrupt float audio: a NaN made the window's features NaN, and the model's answer unusable, so a
                // bad file was counted as the model failing; as silence it is an audio dropout
                s[i] = 0f;
                notNumbers++;
            }
        }
        if (notNumbers > 0 && nonFiniteWarnings++ == 0 && warnAllowed(System.currentTimeMillis())) {
            LOG.warn("{}: {} audio samples are not numbers (NaN or infinite: corrupt float audio); read as silence",
                    what, notNumbers);
        }
        if (frame.audioChannels != 2) {
            return s;
        }
        StereoDownmix.Mono mono = StereoDownmix.ofInterleaved(s, mixedOutOfPhase);
        mixedOutOfPhase = mono.outOfPhase();
        if (mono.outOfPhase() && outOfPhaseFrames++ == 0 && warnAllowed(System.currentTimeMillis())) {
            LOG.warn("{}: the stereo channels are out of phase (one is the other inverted, a miswired microphone); "
                    + "analysing the mix of the one with the other turned back", what);
        }
        return mono.samples();
    }

    /** At most one out-of-phase warning a minute per JVM: a live stream with a miswired microphone has one per chunk. */
    private static boolean warnAllowed(long nowMs) {
        long last = LAST_PHASE_WARNING_MS.get();
        return nowMs - last >= 60_000 && LAST_PHASE_WARNING_MS.compareAndSet(last, nowMs);
    }

    /** Audio frames whose stereo channels were out of phase and were mixed the other way round. */
    int outOfPhaseFrames() {
        return outOfPhaseFrames;
    }

    /**
     * Fails the decode when a stream's timestamps jump from {@code previousEndUs} (the end of its previous frame) to
     * {@code atUs} by more than the extractor allows; returns {@code endUs}, the end of this frame.
     */
    private long checkJump(String stream, long previousEndUs, long atUs, long endUs) throws MediaDecodeException {
        if (previousEndUs != Long.MIN_VALUE) {
            long jump = atUs - previousEndUs;
            if (jump > MediaFeatureExtractor.MAX_TIMESTAMP_GAP_MS * 1000
                    || jump < -MediaFeatureExtractor.MAX_TIMESTAMP_OVERLAP_MS * 1000) {
                throw new MediaDecodeException(String.format(java.util.Locale.ROOT,
                        "the %s timestamps of %s jump by %+.1f s at %.1f s: a timestamp discontinuity inside one "
                                + "chunk or file, which is not bridged (send the parts as chunks of their own)",
                        stream, what, jump / 1e6, previousEndUs / 1e6));
            }
        }
        return endUs;
    }

    /** Tracks the face on one decoded picture and offers its crop to the grid; false when the picture was empty. */
    private boolean picture(Frame frame) throws MediaDecodeException {
        String oversized = oversized(frame.imageWidth, frame.imageHeight);
        if (oversized != null) {
            // a stream whose pictures grow after the first: checked before they are converted and kept
            throw new MediaDecodeException(String.format(java.util.Locale.ROOT, "%s has, from %.1f s on, %s", what,
                    frame.timestamp / 1e6, oversized));
        }
        Mat decodedPicture = converter.convert(frame);
        if (decodedPicture == null || decodedPicture.empty()) {
            return false;
        }
        // a picture's end is not known before the next one: measured start to start, one frame off the limits
        lastVideoUs = checkJump("video", lastVideoUs, frame.timestamp, frame.timestamp);
        Mat picture = DisplayRotation.apply(decodedPicture, rotation >= 0 ? rotation : track.orientation, uprightMat);
        Mat gray = picture;
        if (spec.colour()) {
            opencv_imgproc.cvtColor(picture, grayMat, opencv_imgproc.COLOR_BGR2GRAY);
            gray = grayMat;
        }
        width = gray.cols();
        height = gray.rows();
        if (box != null && track.frameWidth > 0 && (width != track.frameWidth || height != track.frameHeight)) {
            if (FaceTrack.sameShape(track.frameWidth, track.frameHeight, width, height)) {
                // a live stream switched renditions: same picture, other size, so the box scales with it
                box = FaceTrack.rescale(box, track.frameWidth, track.frameHeight, width, height);
            } else {
                // another picture (turned upright, or cropped otherwise): the old box points at nothing in it, and
                // scaled it would be taken for a face until the next detection; search this frame instead
                box = null;
                track.lastDetectFrame = Long.MIN_VALUE;
            }
        }
        track.frameWidth = width;
        track.frameHeight = height;
        if (origin == MediaFeatureExtractor.ORIGIN_FROM_MEDIA) {
            origin = frame.timestamp - firstFrameAtUs;
        }
        // cadence on the grid, not on decoded frames, so chunk boundaries do not move detections
        long gridFrame = Math.round((frame.timestamp - origin) * (double) spec.fps() / 1_000_000d);
        if (track.lastDetectFrame == Long.MIN_VALUE
                || gridFrame - track.lastDetectFrame >= spec.detectEveryFrames()
                || gridFrame < track.lastDetectFrame) {
            track.lastDetectFrame = gridFrame;
            // a tracked face is searched near its box at its size; the whole frame (new faces, a second speaker)
            // every FULL_SEARCH_EVERY_FRAMES, and whenever the near search finds nothing
            boolean full = lost || box == null || track.lastFullDetectFrame == Long.MIN_VALUE
                    || gridFrame - track.lastFullDetectFrame >= MediaFeatureExtractor.FULL_SEARCH_EVERY_FRAMES
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
            if (full) {
                if (!track.turnedSearch(best >= 0, TURN_REVERT_MISSES)) {
                    searchTurned(gray, best >= 0); // not on a picture that was turned by the turn just dropped
                }
            }
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
            crop = MediaFeatureExtractor.wholeFrame(picture, spec, cropMat);
        } else if (!lost && box != null) {
            crop = spec.faceCrops() ? MediaFeatureExtractor.faceCrop(picture, box, spec, cropMat)
                    : MediaFeatureExtractor.mouthCrop(gray, box, spec, cropMat);
        }
        boolean faceFound = spec.wholeFrames() ? !lost && box != null : crop != null;
        grid.offer(frame.timestamp - origin, crop, faceFound, faces);
        decoded++;
        return true;
    }

    /**
     * A stream without a display rotation is also searched turned a quarter either way at its first
     * {@link #ORIENTATION_SEARCHES} whole-frame searches: video stored sideways whose rotation got lost on the way (an
     * editor, a re-encode) is otherwise all "no face". A turn is adopted, for the frames after, only when it found a
     * face in all but one of them and upright and the other turn did in at most half: a sideways picture also gives
     * chance upright detections, and a faceless one chance detections anywhere.
     */
    private void searchTurned(Mat gray, boolean upright) {
        if (rotation >= 0 || track.orientation >= 0 || track.orientationSearches >= ORIENTATION_SEARCHES) {
            return;
        }
        track.orientationSearches++;
        track.uprightHits += upright ? 1 : 0;
        opencv_core.rotate(gray, turnedMat, opencv_core.ROTATE_90_CLOCKWISE);
        track.clockwiseHits += detector.detect(turnedMat, null).isEmpty() ? 0 : 1;
        opencv_core.rotate(gray, turnedMat, opencv_core.ROTATE_90_COUNTERCLOCKWISE);
        track.counterClockwiseHits += detector.detect(turnedMat, null).isEmpty() ? 0 : 1;
        if (track.orientationSearches == ORIENTATION_SEARCHES) {
            track.orientation = orientation(track.uprightHits, track.clockwiseHits, track.counterClockwiseHits,
                    ORIENTATION_SEARCHES);
        }
    }

    /** The turn to adopt after {@code searches} searches with these hits, -1 for none (see {@link #searchTurned}). */
    static int orientation(int upright, int clockwise, int counterClockwise, int searches) {
        int half = searches / 2;
        if (clockwise >= searches - 1 && upright <= half && counterClockwise <= half) {
            return opencv_core.ROTATE_90_CLOCKWISE;
        }
        if (counterClockwise >= searches - 1 && upright <= half && clockwise <= half) {
            return opencv_core.ROTATE_90_COUNTERCLOCKWISE;
        }
        return -1;
    }

    /**
     * FFmpeg's demuxers of self-contained audio and video (each matches every name of its demuxer: "mov" is also mp4,
     * m4a and 3gp, "matroska" also webm). Left out: those that open other files or URLs (hls, dash, concat, image2,
     * imf, sdp, rtsp, ...).
     */
    static final String MEDIA_DEMUXERS = "mov,mpegts,matroska,avi,flv,asf,mpeg,mxf,nut,ogg,wav,w64,aiff,caf,au,mp3,"
            + "aac,flac,ac3,eac3,dts,truehd,amr,wv,ape,tta,h264,hevc,m4v,mpegvideo,ivf,obu,yuv4mpegpipe,mjpeg,dv,rm,gxf";

    /** Sound kept before the first picture, beyond the grid's head start: streams interleave within far less. */
    static final long PRE_PICTURE_AUDIO_US = 60_000_000;

    /**
     * Drops sound that can no longer land on the grid. Before the first picture the grid has no origin, and sound
     * from further back than its head start ({@code firstFrameAtUs}) lands ahead of frame 0, where the buffer drops
     * it. Held until a picture came, or for ever if none does (a video stream that does not decode), an hour of sound
     * took gigabytes.
     */
    private void dropAudioBeforeAnyPicture(long latestUs) {
        long keepFromUs = origin != MediaFeatureExtractor.ORIGIN_FROM_MEDIA ? origin
                : latestUs - firstFrameAtUs - PRE_PICTURE_AUDIO_US;
        int drop = 0;
        while (drop < audioPieces.size() - 1 && audioTimes.get(drop)[0]
                + audioPieces.get(drop).length * 1_000_000L / spec.sampleRate() < keepFromUs) {
            drop++;
        }
        if (drop > 0) {
            audioTimes.subList(0, drop).clear();
            audioPieces.subList(0, drop).clear();
        }
    }

    /** The final segment: the rest of the grid and the audio, and the face track written back. */
    private MediaFeatures last() throws MediaDecodeException {
        if (origin == MediaFeatureExtractor.ORIGIN_FROM_MEDIA) {
            // no picture came: the sound is placed from its own first sample, also when the pieces before the last
            // minute were dropped waiting for a picture (its place in the video stays where it was)
            origin = audioTimes.isEmpty() ? 0 : firstAudioUs - firstFrameAtUs;
        }
        grid.finish(sourceFps);
        track.box = box;
        track.lost = lost;
        track.faces = faces;
        if (decoded == 0 && audioPieces.isEmpty() && audioExpected[0] == Long.MIN_VALUE) {
            throw new MediaDecodeException(what + " decoded to nothing: no video frame and no audio sample");
        }
        return take(decoded > 0, decodedInSegment);
    }

    private MediaFeatures take(boolean withVideo, int decodedFrames) {
        audioSinceTake = 0;
        return MediaFeatureExtractor.takeSegment(grid, origin, audioTimes, audioPieces, audioExpected, spec,
                withVideo, width, height, sourceFps, decodedFrames, hasVideo);
    }

    /** Whether the final segment has been handed out (the next {@link #next()} returns null). */
    public boolean ended() {
        return ended;
    }

    /** Releases FFmpeg's and OpenCV's native memory; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            converter.close();
            detector.close();
            cropMat.close();
            grayMat.close();
            uprightMat.close();
            turnedMat.close();
        } finally {
            MediaFeatureExtractor.release(grabber);
        }
    }
}
