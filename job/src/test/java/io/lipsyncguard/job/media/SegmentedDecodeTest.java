package io.lipsyncguard.job.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.lipsyncguard.job.cli.ModelPaths;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.sample.WavFile;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.VideoBuffer;
import io.lipsyncguard.job.window.WindowCutter;
import io.lipsyncguard.job.window.WindowSpec;
import io.lipsyncguard.models.ModelManifest;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file decoded in segments (as the job decodes referenced files, to bound memory) gives exactly the windows of the
 * same file decoded whole, at 25 fps and at other frame and sample rates.
 */
class SegmentedDecodeTest {

    static final Path SHARED = Path.of(System.getProperty("lipsync.shared.data", "../../shared/data"));

    @TempDir
    static Path tmp;

    static WindowSpec spec;
    static MediaSpec media;
    static float[][] filterbank;

    @BeforeAll
    static void specs() throws Exception {
        spec = WindowSpec.fromManifest(ModelManifest.readValid(ModelPaths.defaultManifest()));
        media = spec.mediaSpec(5, 320);
        filterbank = LogMel.filterbank(spec.sampleRate(), spec.nFft(), spec.nMels(), spec.fMin(), spec.fMax());
    }

    @Test
    void aPlaylistCannotOpenFilesItNames() throws Exception {
        // an HLS playlist under a prefix the reference policy allows, naming a file outside it
        Path clip = tmp.resolve("playlist-source.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(37, 2));
        Path outside = Files.createDirectories(tmp.resolve("tenant-b")).resolve("private.ts");
        FfmpegTool.transportStream(clip, outside, 0);
        Path playlist = Files.createDirectories(tmp.resolve("allowed")).resolve("list.m3u8");
        Files.writeString(playlist, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
                + "#EXTINF:2.0,\n" + outside.toAbsolutePath() + "\n#EXT-X-ENDLIST\n");
        assertThat(MediaFeatureExtractor.extract(outside, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L)
                .frameCount()).as("the file itself decodes").isPositive();
        assertThatThrownBy(() -> MediaFeatureExtractor.extract(playlist, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA,
                0L)).isInstanceOf(MediaDecodeException.class).hasMessageContaining("list.m3u8").hasMessageContaining("only self-contained media is opened");
        // a concat list, named as media, the same; naming a file beside it, which FFmpeg's own "safe" rule (no
        // absolute paths) lets through, so that only the project's guard can refuse it
        Path list = tmp.resolve("allowed").resolve("list.ffconcat");
        Files.copy(outside, list.resolveSibling("inside.ts"));
        Files.writeString(list, "ffconcat version 1.0\nfile 'inside.ts'\n");
        assertThatThrownBy(() -> MediaFeatureExtractor.extract(list, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L))
                .isInstanceOf(MediaDecodeException.class).hasMessageContaining("list.ffconcat")
                .hasMessageContaining("only self-contained media is opened");
    }

    @Test
    void segmentsGiveTheWindowsOfTheWholeDecode() throws Exception {
        Path clip = tmp.resolve("clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(31, 8));
        assertSameWindows(clip, 37);
    }

    @Test
    void framesWithoutAFaceAfterTheFirstSegmentAreEmptyAsInTheWholeDecode() throws Exception {
        // the picture goes grey for a second after the first segments (the face is lost, then found again)
        Path clip = tmp.resolve("lost.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(32, 8));
        Path lost = tmp.resolve("lost-face.mp4");
        ffmpeg("-i", clip.toString(), "-vf", "drawbox=x=0:y=0:w=iw:h=ih:color=0x404040:t=fill:enable='between(t,4,5)'",
                "-c:v", "mpeg4", "-q:v", "3", "-c:a", "copy", lost.toString());
        assertSameWindows(lost, 37);
        // and from a source slower than the grid, whose slots are blends of the frames around them
        Path slow = tmp.resolve("lost-face-15fps.mp4");
        ffmpeg("-i", lost.toString(), "-r", "15", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "copy", slow.toString());
        VideoBuffer whole = new VideoBuffer();
        WindowCutter.append(whole, MediaFeatureExtractor.extract(slow, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA),
                spec);
        VideoBuffer pieces = new VideoBuffer();
        segments(slow, 23, f -> WindowCutter.append(pieces, f, spec));
        int px = spec.cropPixels();
        assertThat(pieces.cropFrames).isEqualTo(whole.cropFrames).isGreaterThan(150);
        assertThat(java.util.Arrays.copyOf(pieces.crops, pieces.cropFrames * px))
                .isEqualTo(java.util.Arrays.copyOf(whole.crops, whole.cropFrames * px));
        int noFace = 0;
        for (int f = 0; f < whole.cropFrames; f++) {
            boolean blank = true;
            for (int i = f * px; i < (f + 1) * px && blank; i++) {
                blank = whole.crops[i] == 0;
            }
            assertThat(whole.face[f] && blank).as("frame %d says face over an empty crop", f).isFalse();
            noFace += whole.face[f] ? 0 : 1;
        }
        assertThat(noFace).as("frames without a face").isGreaterThan(5);
    }

    @Test
    void soundLongAfterThePictureEndsGoesOutInSegmentsOfBoundedLength() throws Exception {
        // 8 s of picture, 150 s of sound: before, the final segment held the 142 s after the last picture, which the
        // cutter then filled with faceless frames and turned into mel rows all at once (hours of it for a long track)
        Path clip = tmp.resolve("short-picture-clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(35, 8));
        Path early = withSound(clip, 36, 150, 0, "short-picture.mkv");
        List<Integer> audioSamples = new ArrayList<>();
        segments(early, 25, f -> audioSamples.add(f.audio().length));
        // four segments' worth (4 s), and the AAC frame that crossed the line
        int limit = SegmentedDecode.AUDIO_LEAD_SEGMENTS * 25 * 640 + 2048;
        assertThat(audioSamples).hasSizeGreaterThan(30).allMatch(n -> n <= limit, "no segment over " + limit);
        assertThat(audioSamples.stream().mapToLong(Integer::longValue).sum()).as("all the sound")
                .isBetween(149L * 16_000, 151L * 16_000);
        // the windows are those of the whole decode, but for the last two pictures: H.264's decoder hands them out
        // only at the end of the file, after the cutter gave up waiting for pictures a minute behind the sound
        // and filled their slots as frames without a face (the price of not holding the whole track)
        assertSameWindows(early, 37, 198, 200);

        // with the picture's end less than that minute behind, nothing is given up: the same windows exactly
        Path shorter = withSound(clip, 36, 50, 0, "short-picture-50s.mkv");
        List<Integer> shorterSamples = new ArrayList<>();
        segments(shorter, 25, f -> shorterSamples.add(f.audio().length));
        assertThat(shorterSamples).hasSizeGreaterThan(15).allMatch(n -> n <= limit, "no segment over " + limit);
        assertSameWindows(shorter, 25);
    }

    @Test
    void soundLongBeforeThePictureIsNotHeldUntilThePictureComes() throws Exception {
        // 150 s of sound, the picture from 100 s on: before, the first segment held all 100 s of sound before it
        Path clip = tmp.resolve("late-picture-clip.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(33, 8));
        Path wav = tmp.resolve("long-sound.wav");
        WavFile.write(wav, TalkingHeadGenerator.speechAudio(34, 150, 16_000), 16_000);
        Path late = tmp.resolve("late-picture.mkv");
        ffmpeg("-i", wav.toString(), "-itsoffset", "100", "-i", clip.toString(), "-map", "0:a", "-map", "1:v",
                "-c:v", "copy", "-c:a", "aac", late.toString());
        List<Integer> audioSeconds = new ArrayList<>();
        segments(late, 25, f -> audioSeconds.add(f.audio().length / 16_000));
        assertThat(audioSeconds).hasSizeGreaterThan(3);
        long limit = SegmentedDecode.PRE_PICTURE_AUDIO_US / 1_000_000 + 2;
        assertThat(audioSeconds).allMatch(s -> s <= limit, "no segment holds more than a minute of sound");
        // the sound under the picture is all there: the windows are those of the whole decode
        assertSameWindows(late, 37);

        // a video stream whose pictures never decode (MPEG-4 Part 2 in MPEG-TS without its headers), 90 s of sound:
        // the last minute is kept, in its place, so that the sound still ends where it does
        Path headerless = tmp.resolve("never-a-picture.ts");
        ffmpeg("-i", wav.toString(), "-i", clip.toString(), "-map", "0:a", "-map", "1:v", "-t", "90", "-c:v", "mpeg4",
                "-flags", "+global_header", "-c:a", "aac", "-f", "mpegts", headerless.toString());
        List<long[]> placed = new ArrayList<>();
        segments(headerless, 25, f -> placed.add(new long[] {f.frameCount(), f.audioStartSample(),
                f.audioStartSample() + f.audio().length}));
        assertThat(placed).allMatch(p -> p[0] == 0, "no picture");
        assertThat(placed).allMatch(p -> p[2] - p[1] <= limit * 16_000, "no more than a minute of sound held");
        assertThat(placed.get(placed.size() - 1)[2] / 16_000.0).as("where the sound ends, s").isCloseTo(90, within(1.0));
    }

    @Test
    void samplesThatAreNotNumbersAreReadAsSilence() throws Exception {
        // a corrupt 32-bit float WAV: speech with a second of NaN and infinities in it
        float[] speech = TalkingHeadGenerator.speechAudio(35, 4, 16_000);
        for (int i = 16_000; i < 32_000; i++) {
            speech[i] = i % 3 == 0 ? Float.NaN : i % 3 == 1 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        }
        Path wav = tmp.resolve("nan.wav");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 4 * speech.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 4 * speech.length).put("WAVEfmt ".getBytes()).putInt(16)
                .putShort((short) 3).putShort((short) 1).putInt(16_000).putInt(4 * 16_000).putShort((short) 4)
                .putShort((short) 32).put("data".getBytes()).putInt(4 * speech.length);
        for (float v : speech) {
            b.putFloat(v);
        }
        Files.write(wav, b.array());
        MediaFeatures m = MediaFeatureExtractor.extract(wav, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        assertThat(m.audio()).hasSizeGreaterThan(3 * 16_000);
        int silent = 0;
        for (float v : m.audio()) {
            assertThat(Float.isFinite(v)).as("every sample is a number").isTrue();
            silent += v == 0f ? 1 : 0;
        }
        assertThat(silent).as("the corrupt second reads as silence").isGreaterThanOrEqualTo(15_000);
    }

    @Test
    void aThirtyFpsSourceAndResampledAudioStayExact() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/data is absent");
        assertSameWindows(SHARED.resolve("retalking_face2.mp4"), 29); // 44.1 kHz audio resampled to 16 kHz
        Path face = SHARED.resolve("face_no_audio.mp4"); // 30 fps onto the 25 fps grid
        VideoBuffer whole = new VideoBuffer();
        WindowCutter.append(whole, MediaFeatureExtractor.extract(face, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA), spec);
        VideoBuffer pieces = new VideoBuffer();
        segments(face, 23, f -> WindowCutter.append(pieces, f, spec));
        assertThat(pieces.cropFrames).isEqualTo(whole.cropFrames).isGreaterThan(100);
        assertThat(java.util.Arrays.copyOf(pieces.crops, pieces.cropFrames * spec.cropPixels()))
                .isEqualTo(java.util.Arrays.copyOf(whole.crops, whole.cropFrames * spec.cropPixels()));
    }

    @Test
    void bytesFfmpegCannotOpenSayWhatWithoutJavaNoise() {
        assertThatThrownBy(() -> MediaFeatureExtractor.extract("not a video".getBytes(java.nio.charset.StandardCharsets
                .UTF_8), null, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA))
                .isInstanceOf(MediaDecodeException.class).hasMessageContaining("FFmpeg cannot open 11 bytes")
                .hasMessageNotContaining("ByteArrayInputStream").hasMessageNotContaining("setFormat()");
    }

    @Test
    void anAudioFilesCoverImageIsNotVideo() throws Exception {
        Path speech = tmp.resolve("speech-for-cover.wav");
        WavFile.write(speech, TalkingHeadGenerator.speechAudio(44, 4, 16_000), 16_000);
        Path cover = tmp.resolve("cover.png");
        ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", cover.toString());
        Path withCover = tmp.resolve("speech with cover.m4a");
        ffmpeg("-i", speech.toString(), "-i", cover.toString(), "-map", "0:a", "-map", "1:v", "-c:a", "aac", "-c:v",
                "mjpeg", "-disposition:v:0", "attached_pic", withCover.toString());

        MediaFeatures m = MediaFeatureExtractor.extract(withCover, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        assertThat(m.hasVideo()).isFalse();
        assertThat(m.videoStreamFound()).isFalse();
        assertThat(m.hasAudio()).isTrue();
        // and the chunks cut for Kafka carry the sound alone
        assertThat(FfmpegTool.streamMaps(withCover)).containsExactly("-map", "0:0");
    }

    @Test
    void anAviWithBFramesDecodesToItsLastFrame() throws Exception {
        Path clip = tmp.resolve("for-avi.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(46, 4));
        Path avi = tmp.resolve("b-frames.avi");
        // AVI stores no pts; with B-frames the frame the decoder flushes last had no time at all
        ffmpeg("-i", clip.toString(), "-c:v", "mpeg4", "-bf", "2", "-q:v", "3", "-c:a", "copy", avi.toString());
        MediaFeatures m = MediaFeatureExtractor.extract(avi, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        MediaFeatures original = MediaFeatureExtractor.extract(clip, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        assertThat(m.decodedFrames()).isEqualTo(100);
        assertThat(m.firstFrame() + m.frameCount()).isEqualTo(original.firstFrame() + original.frameCount());
    }

    @Test
    void stereoOutOfPhaseIsHeardNotCancelled() throws Exception {
        Path speech = tmp.resolve("speech-for-stereo.wav");
        WavFile.write(speech, TalkingHeadGenerator.speechAudio(45, 4, 16_000), 16_000);
        Path inPhase = tmp.resolve("in-phase.m4a");
        ffmpeg("-i", speech.toString(), "-af", "pan=stereo|c0=c0|c1=c0", "-c:a", "aac", inPhase.toString());
        Path outOfPhase = tmp.resolve("out-of-phase.m4a");
        ffmpeg("-i", speech.toString(), "-af", "pan=stereo|c0=c0|c1=-1*c0", "-c:a", "aac", outOfPhase.toString());

        // FFmpeg's own mix, as the decode used to ask for (the levels every threshold was set on)
        float[] ffmpegMix = ffmpegMono(inPhase);
        float[] mixed = MediaFeatureExtractor.extract(inPhase, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA).audio();
        assertThat(mixed).hasSize(ffmpegMix.length);
        for (int i = 0; i < mixed.length; i++) {
            assertThat(mixed[i]).isCloseTo(ffmpegMix[i], within(1e-6f));
        }

        int[] flagged = {0};
        List<float[]> pieces = new ArrayList<>();
        try (SegmentedDecode decode = MediaFeatureExtractor.openSegmented(outOfPhase, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L, new FaceTrackState(), 25)) {
            for (MediaFeatures f; (f = decode.next()) != null; ) {
                pieces.add(f.audio());
            }
            flagged[0] = decode.outOfPhaseFrames();
        }
        float[] turnedBack = new float[pieces.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] p : pieces) {
            System.arraycopy(p, 0, turnedBack, at, p.length);
            at += p.length;
        }
        assertThat(flagged[0]).isGreaterThan(20);
        assertThat(rms(turnedBack)).isCloseTo(rms(mixed), within(0.05 * rms(mixed)));
        assertThat(correlation(turnedBack, mixed)).isGreaterThan(0.97);
        // where FFmpeg's mix cancels the voice to a whisper
        assertThat(rms(ffmpegMono(outOfPhase))).isLessThan(0.1 * rms(mixed));
    }

    /** The file's audio mixed to mono by FFmpeg's resampler (what the decode asked the grabber for before). */
    private static float[] ffmpegMono(Path file) throws Exception {
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
            g.setSampleMode(FrameGrabber.SampleMode.FLOAT);
            g.setSampleRate(16_000);
            g.setAudioChannels(1);
            g.start();
            List<Float> all = new ArrayList<>();
            for (Frame f; (f = g.grabSamples()) != null; ) {
                FloatBuffer b = (FloatBuffer) f.samples[0];
                while (b.hasRemaining()) {
                    all.add(b.get());
                }
            }
            float[] out = new float[all.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = all.get(i);
            }
            return out;
        }
    }

    private static double rms(float[] x) {
        double e = 0;
        for (float v : x) {
            e += v * v;
        }
        return Math.sqrt(e / x.length);
    }

    private static void ffmpeg(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(FfmpegTool.binary(), "-v", "error", "-y"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
    }

    @Test
    void picturesOverTheLimitAreRefusedBeforeTheyAreDecoded() throws Exception {
        // 9000 x 8000: over 8192 x 8192 in area, a few hundred kilobytes as grey MJPEG
        Path huge = tmp.resolve("huge.mkv");
        FfmpegTool.run(List.of("-y", "-f", "lavfi", "-i", "color=c=gray:size=9000x8000:rate=2", "-t", "1",
                "-c:v", "mjpeg", "-q:v", "31", huge.toString()));
        assertThatThrownBy(() -> MediaFeatureExtractor.extract(huge, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA))
                .isInstanceOf(MediaDecodeException.class)
                .hasMessageContaining("has pictures of 9000x8000 pixels, over the limit of 67108864 (8192x8192)");
        // just under the limit in area, still decoded
        Path large = tmp.resolve("large.mkv");
        FfmpegTool.run(List.of("-y", "-f", "lavfi", "-i", "color=c=gray:size=8192x8000:rate=2", "-t", "1",
                "-c:v", "mjpeg", "-q:v", "31", large.toString()));
        assertThat(MediaFeatureExtractor.extract(large, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA).frameCount())
                .isPositive();
        // small pictures first, the huge ones a second later in the same stream: stopped where they grow
        Path small = tmp.resolve("small.mkv");
        FfmpegTool.run(List.of("-y", "-f", "lavfi", "-i", "color=c=gray:size=320x240:rate=2", "-t", "1",
                "-c:v", "mjpeg", "-q:v", "31", small.toString()));
        Path list = tmp.resolve("grow.txt");
        Files.writeString(list, "file '" + small + "'\nfile '" + huge + "'\n");
        Path grown = tmp.resolve("grown.mkv");
        FfmpegTool.run(List.of("-y", "-f", "concat", "-safe", "0", "-i", list.toString(), "-c", "copy",
                grown.toString()));
        assertThatThrownBy(() -> MediaFeatureExtractor.extract(grown, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA))
                .isInstanceOf(MediaDecodeException.class)
                .hasMessageContaining("has, from 1.0 s on, pictures of 9000x8000 pixels, over the limit");
    }

    @Test
    void aPipeIsRefusedNotWaitedOn() throws Exception {
        Path fifo = tmp.resolve("referenced.pipe");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "no mkfifo");
        assertThatThrownBy(() -> MediaFeatureExtractor.openSegmented(fifo, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0, new FaceTrackState(), 25))
                .isInstanceOf(MediaDecodeException.class).hasMessageContaining("not a regular file");
    }

    @Test
    void theDefaultAudioTrackIsDecodedNotTheFirst() throws Exception {
        Path clip = tmp.resolve("own.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(41, 6));
        Path dub = tmp.resolve("dub.mp4");
        TalkingHeadGenerator.write(dub, SampleSpec.inSync(42, 6));
        Path both = tmp.resolve("dub first, own default.mkv");
        FfmpegTool.secondAudioTrack(clip, dub, both);

        float[] own = MediaFeatureExtractor.extract(clip, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA).audio();
        float[] other = MediaFeatureExtractor.extract(dub, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA).audio();
        float[] fromFile = MediaFeatureExtractor.extract(both, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA).audio();
        float[] fromBytes = MediaFeatureExtractor.extract(Files.readAllBytes(both), null, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA).audio();

        for (float[] decoded : List.of(fromFile, fromBytes)) {
            assertThat(correlation(decoded, own)).isGreaterThan(0.99);
            assertThat(correlation(decoded, other)).isLessThan(0.5);
        }
    }

    /** Best normalised correlation of {@code a} with {@code b} over lags of up to 0.1 s (remuxing moves the start). */
    private static double correlation(float[] a, float[] b) {
        int n = Math.min(a.length, b.length) - 1600;
        assertThat(n).isGreaterThan(16_000);
        double best = -1;
        for (int lag = -1600; lag <= 1600; lag++) {
            double ab = 0;
            double aa = 0;
            double bb = 0;
            for (int i = 1600; i < n; i++) {
                float x = a[i];
                float y = b[i + lag];
                ab += x * y;
                aa += x * x;
                bb += y * y;
            }
            best = Math.max(best, ab / Math.sqrt(aa * bb));
        }
        return best;
    }

    @Test
    void audioWithoutPictureAlsoComesInSegments() throws Exception {
        Path wav = tmp.resolve("speech.wav");
        WavFile.write(wav, TalkingHeadGenerator.speechAudio(33, 12, 22_050), 22_050); // resampled to 16 kHz on decode
        MediaFeatures whole = MediaFeatureExtractor.extract(wav, media, MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        VideoBuffer b = new VideoBuffer();
        List<Integer> pieces = new ArrayList<>();
        segments(wav, 50, f -> {
                    pieces.add(f.audio().length);
                    WindowCutter.append(b, f, spec);
                });
        assertThat(whole.hasVideo()).isFalse();
        assertThat(pieces).hasSizeGreaterThan(5); // 12 s in pieces of about 2 s
        assertThat(pieces).allMatch(n -> n < 3 * 16_000);
        assertThat(b.hasVideo).isFalse();
        assertThat(b.audioBase).isEqualTo(whole.audioStartSample());
        assertThat(java.util.Arrays.copyOf(b.audio, b.audioLen)).isEqualTo(whole.audio());
    }

    @Test
    void anInMemoryChunkAlsoComesInSegments() throws Exception {
        Path clip = tmp.resolve("inline.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(34, 12));
        MediaFeatures whole = MediaFeatureExtractor.extract(Files.readAllBytes(clip), "mp4", media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA);
        List<Integer> sizes = new ArrayList<>();
        VideoBuffer b = new VideoBuffer();
        try (SegmentedDecode decode = MediaFeatureExtractor.openSegmented(Files.readAllBytes(clip), "mp4", media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L, new FaceTrackState(), 100)) {
            MediaFeatures f;
            while ((f = decode.next()) != null) {
                sizes.add(f.frameCount());
                WindowCutter.append(b, f, spec);
            }
        }
        assertThat(sizes).hasSizeGreaterThanOrEqualTo(3).allMatch(n -> n <= 101);
        assertThat(b.cropFrames).isEqualTo(whole.frameCount()).isEqualTo(300);
        assertThat(java.util.Arrays.copyOf(b.crops, b.cropFrames * spec.cropPixels())).isEqualTo(whole.crops());
        assertThat(java.util.Arrays.copyOf(b.audio, b.audioLen)).isEqualTo(whole.audio());
    }

    @Test
    void theDecodeEndsWithNullAndClosesOnce() throws Exception {
        Path clip = tmp.resolve("short.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(32, 2));
        SegmentedDecode decode = MediaFeatureExtractor.openSegmented(clip, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L, new FaceTrackState(), 20);
        int frames = 0;
        MediaFeatures f;
        while ((f = decode.next()) != null) {
            frames += f.frameCount();
        }
        assertThat(frames).isEqualTo(50);
        assertThat(decode.next()).as("still null after the end").isNull();
        decode.close();
        decode.close();
        SegmentedDecode closedEarly = MediaFeatureExtractor.openSegmented(clip, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L, new FaceTrackState(), 20);
        closedEarly.close();
        assertThatThrownBy(closedEarly::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    /** {@code clip}'s picture from {@code pictureAtS} on, under {@code seconds} of speech of {@code seed}. */
    private static Path withSound(Path clip, long seed, int seconds, double pictureAtS, String name)
            throws Exception {
        Path wav = tmp.resolve(name + ".wav");
        WavFile.write(wav, TalkingHeadGenerator.speechAudio(seed, seconds, 16_000), 16_000);
        Path out = tmp.resolve(name);
        ffmpeg("-i", wav.toString(), "-itsoffset", Double.toString(pictureAtS), "-i", clip.toString(), "-map", "0:a",
                "-map", "1:v", "-c:v", "copy", "-c:a", "aac", out.toString());
        return out;
    }

    /** Hands the segments of a decode of {@code file}, {@code frames} video frames each, to {@code each}. */
    private static void segments(Path file, int frames, Consumer<MediaFeatures> each) throws Exception {
        try (SegmentedDecode decode = MediaFeatureExtractor.openSegmented(file, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA, 0L, new FaceTrackState(), frames)) {
            MediaFeatures f;
            while ((f = decode.next()) != null) {
                each.accept(f);
            }
        }
    }

    private static void assertSameWindows(Path file, int segmentFrames) throws Exception {
        assertSameWindows(file, segmentFrames, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /**
     * As {@link #assertSameWindows(Path, int)}, except that the grid frames from {@code blankFrom} to {@code blankTo}
     * (exclusive) are faceless zeros in the segmented decode: frames that reach it too late.
     */
    private static void assertSameWindows(Path file, int segmentFrames, long blankFrom, long blankTo)
            throws Exception {
        VideoBuffer whole = new VideoBuffer();
        WindowCutter.append(whole, MediaFeatureExtractor.extract(file, media,
                MediaFeatureExtractor.ORIGIN_FROM_MEDIA), spec);
        WindowCutter.computeMel(whole, spec, filterbank, true);
        List<AvWindow> expected = WindowCutter.cut(whole, spec, "v");

        VideoBuffer b = new VideoBuffer();
        List<AvWindow> actual = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int[] cutWhileDecoding = {0};
        segments(file, segmentFrames, f -> {
                    sizes.add(f.frameCount());
                    WindowCutter.append(b, f, spec);
                    WindowCutter.computeMel(b, spec, filterbank, false);
                    actual.addAll(WindowCutter.cut(b, spec, "v"));
                    cutWhileDecoding[0] = actual.size();
                });
        WindowCutter.computeMel(b, spec, filterbank, true);
        actual.addAll(WindowCutter.cut(b, spec, "v"));

        assertThat(sizes).hasSizeGreaterThan(3);
        assertThat(sizes).allMatch(n -> n <= segmentFrames + 1, "no piece holds more than one segment");
        assertThat(cutWhileDecoding[0]).as("windows are cut while the file decodes").isGreaterThan(0);
        assertThat(expected).isNotEmpty();
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            AvWindow e = expected.get(i);
            AvWindow a = actual.get(i);
            assertThat(a.startMs()).isEqualTo(e.startMs());
            assertThat(a.audio()).as("audio features of window %d", i).isEqualTo(e.audio());
            int px = spec.cropPixels();
            long firstFrame = e.startMs() * spec.fps() / 1000;
            int frames = e.crops().length / px;
            if (firstFrame + frames <= blankFrom || firstFrame >= blankTo) {
                assertThat(a.crops()).as("crops of window %d", i).isEqualTo(e.crops());
                assertThat(a.faceFraction()).isEqualTo(e.faceFraction());
            } else {
                for (int f = 0; f < frames; f++) {
                    long at = firstFrame + f;
                    byte[] expectedCrop = at >= blankFrom && at < blankTo ? new byte[px]
                            : java.util.Arrays.copyOfRange(e.crops(), f * px, (f + 1) * px);
                    assertThat(java.util.Arrays.copyOfRange(a.crops(), f * px, (f + 1) * px))
                            .as("crop of frame %d in window %d", at, i).isEqualTo(expectedCrop);
                }
            }
            assertThat(a.speechFraction()).isEqualTo(e.speechFraction());
        }
    }
}
