package io.lipsyncguard.models;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The model contract read from a manifest JSON: identity, preprocessing, tensor specs, thresholds and calibration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "version", "family", "description", "file", "sha256", "preprocessing", "inputs", "outputs",
        "thresholds", "calibration", "calibrationNotes"})
public record ModelManifest(
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty(value = "version", required = true) String version,
        @JsonProperty(value = "family", required = true) String family,
        @JsonProperty("description") String description,
        @JsonProperty(value = "file", required = true) String file,
        @JsonProperty(value = "sha256", required = true) String sha256,
        @JsonProperty(value = "preprocessing", required = true) Preprocessing preprocessing,
        @JsonProperty(value = "inputs", required = true) List<TensorSpec> inputs,
        @JsonProperty(value = "outputs", required = true) List<TensorSpec> outputs,
        @JsonProperty(value = "thresholds", required = true) Thresholds thresholds,
        @JsonProperty("calibration") Map<String, Object> calibration,
        @JsonProperty("calibrationNotes") String calibrationNotes,
        @JsonIgnore Path baseDir) {

    /** Output meanings a model may declare. */
    public static final Set<String> MEANINGS = Set.of("desync_probability", "fake_probability", "offset_frames",
            "sync_confidence", "lag_curve", "video_embedding", "audio_embedding", "lag_distances", "logits");
    /** Pipeline products an input may be fed with. */
    public static final Set<String> FEEDS = Set.of("mouth_crops", "face_crops", "multiscale_crops", "audio_features",
            "mel_image", "composite_image");
    /** Element types the loader knows how to feed and read. */
    public static final Set<String> DTYPES = Set.of("float32", "int64");
    /** Crop kinds the preprocessing knows. */
    public static final Set<String> CROP_KINDS = Set.of("mouth", "face", "lipfd-multiscale");
    /** Pixel normalisations: unit = [0,1], raw255 = [0,255] (syncnet_python), clip / imagenet = mean/std of those encoders. */
    public static final Set<String> NORMALIZATIONS = Set.of("unit", "raw255", "clip", "imagenet");
    /** Audio feature kinds the preprocessing knows. */
    public static final Set<String> AUDIO_KINDS = Set.of("logmel", "mfcc", "mel-image");
    /** Log flavours: natural log of power or decibels. */
    public static final Set<String> LOG_KINDS = Set.of("ln", "db");

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // "fps": 29.97 would silently be 29 (and windowFrames 50.5 be 50)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    public ModelManifest {
        // not List.copyOf, which throws on a null element before validate() could name it
        inputs = inputs == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(inputs));
        outputs = outputs == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(outputs));
        // Unmodifiable but order-preserving, and tolerant of JSON nulls inside the free map.
        calibration = calibration == null ? null : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(calibration));
    }

    /** Parses a manifest (failing on unknown properties) and remembers its directory for {@link #modelFile()}; does not validate. */
    public static ModelManifest read(Path manifestJson) {
        try {
            return in(MAPPER.readValue(Files.readAllBytes(manifestJson), ModelManifest.class),
                    manifestJson.toAbsolutePath().getParent());
        } catch (JsonMappingException e) {
            throw new ModelContractException("manifest " + manifestJson + ": field '" + jsonPath(e) + "': "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ModelContractException("manifest " + manifestJson + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** A manifest from its JSON tree, as {@link #read} makes it from a file in {@code dir}; not validated. */
    static ModelManifest fromTree(com.fasterxml.jackson.databind.JsonNode tree, Path dir) {
        try {
            return in(MAPPER.treeToValue(tree, ModelManifest.class), dir);
        } catch (JsonMappingException e) {
            throw new ModelContractException("manifest: field '" + jsonPath(e) + "': " + e.getOriginalMessage(), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelContractException("manifest: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code m} as a manifest in {@code dir}, the folder its model file is named from. */
    private static ModelManifest in(ModelManifest m, Path dir) {
        return new ModelManifest(m.id, m.version, m.family, m.description, m.file, m.sha256, m.preprocessing,
                m.inputs, m.outputs, m.thresholds, m.calibration, m.calibrationNotes, dir);
    }

    /** Reads and validates in one go. */
    public static ModelManifest readValid(Path manifestJson) {
        ModelManifest m = read(manifestJson);
        m.validate();
        return m;
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        // Missing required properties are reported on the enclosing object; the name is in the message.
        return sb.isEmpty() ? "<root>" : sb.toString();
    }

    /** The ONNX file, resolved against the manifest's directory (or the working directory when built in code). */
    public Path modelFile() {
        Path f = Path.of(file);
        return baseDir == null ? f : baseDir.resolve(f).normalize();
    }

    /** First output with the given meaning, or null. */
    public TensorSpec output(String meaning) {
        return outputs == null ? null
                : outputs.stream().filter(t -> meaning.equals(t.meaning())).findFirst().orElse(null);
    }

    /** First input fed with the given pipeline product, or null. */
    public TensorSpec input(String feeds) {
        return inputs == null ? null
                : inputs.stream().filter(t -> feeds.equals(t.feeds())).findFirst().orElse(null);
    }

    /** Calibration value as a number, or {@code fallback} when absent. */
    public double calibrationNumber(String key, double fallback) {
        Object v = calibration == null ? null : calibration.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new ModelContractException("calibration." + key + ": expected a number but found '" + v + "'");
    }

    /** Calibration value as a string, or {@code fallback} when absent. */
    public String calibrationString(String key, String fallback) {
        Object v = calibration == null ? null : calibration.get(key);
        return v == null ? fallback : v.toString();
    }

    /** Checks the contract without touching the ONNX file; throws {@link ModelContractException} naming the first bad field. */
    public void validate() {
        List<String> errors = new ArrayList<>();
        requireText(errors, "id", id);
        requireText(errors, "version", version);
        requireText(errors, "family", family);
        requireText(errors, "file", file);
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            errors.add("sha256: expected 64 lower-case hex characters but found '" + sha256 + "'");
        }
        validatePreprocessing(errors);
        validateTensors(errors, "inputs", inputs, true);
        validateTensors(errors, "outputs", outputs, false);
        if (inputs != null && outputs != null) {
            Set<String> names = new HashSet<>();
            for (TensorSpec t : inputs) {
                if (t != null) { // a null element is named by validateTensors
                    names.add(t.name());
                }
            }
            for (TensorSpec t : outputs) {
                if (t != null && t.name() != null && names.contains(t.name())) {
                    errors.add("outputs: name '" + t.name() + "' is also an input name");
                }
            }
        }
        validateThresholds(errors);
        validateCalibration(errors);
        validateLagCurve(errors);
        if (!errors.isEmpty()) {
            throw new ModelContractException("manifest '" + id + "' invalid: " + String.join("; ", errors));
        }
    }

    private void validatePreprocessing(List<String> errors) {
        if (preprocessing == null) {
            errors.add("preprocessing: missing");
            return;
        }
        Preprocessing p = preprocessing;
        positive(errors, "preprocessing.fps", p.fps());
        positive(errors, "preprocessing.sampleRate", p.sampleRate());
        positive(errors, "preprocessing.windowFrames", p.windowFrames());
        positive(errors, "preprocessing.strideFrames", p.strideFrames());
        if (p.fps() > 0 && p.sampleRate() > 0 && p.sampleRate() % p.fps() != 0) {
            // audio is cut in whole samples per video frame: a remainder would drift the audio off the frames
            errors.add("preprocessing.sampleRate: must be a multiple of fps (" + p.fps() + ") but is "
                    + p.sampleRate());
        }
        if (p.offsetMarginFrames() < 0) {
            errors.add("preprocessing.offsetMarginFrames: must be >= 0 but is " + p.offsetMarginFrames());
        }
        CropSpec c = p.crop();
        if (c == null) {
            errors.add("preprocessing.crop: missing");
        } else {
            oneOf(errors, "preprocessing.crop.kind", c.kind(), CROP_KINDS);
            positive(errors, "preprocessing.crop.width", c.width());
            positive(errors, "preprocessing.crop.height", c.height());
            positive(errors, "preprocessing.crop.channels", c.channels());
            oneOf(errors, "preprocessing.crop.normalization", c.normalization(), NORMALIZATIONS);
            if (c.scales() != null) {
                for (int i = 0; i < c.scales().size(); i++) {
                    Double s = c.scales().get(i);
                    if (s == null || !(s > 0)) {
                        errors.add("preprocessing.crop.scales[" + i + "]: must be positive but is " + s);
                    }
                }
            }
        }
        AudioSpec a = p.audio();
        if (a == null) {
            errors.add("preprocessing.audio: missing");
        } else {
            oneOf(errors, "preprocessing.audio.kind", a.kind(), AUDIO_KINDS);
            positive(errors, "preprocessing.audio.nMels", a.nMels());
            positive(errors, "preprocessing.audio.nFft", a.nFft());
            positive(errors, "preprocessing.audio.winLength", a.winLength());
            positive(errors, "preprocessing.audio.hopLength", a.hopLength());
            positive(errors, "preprocessing.audio.melFramesPerVideoFrame", a.melFramesPerVideoFrame());
            oneOf(errors, "preprocessing.audio.log", a.log(), LOG_KINDS);
            if (a.hopLength() > a.winLength()) {
                errors.add("preprocessing.audio.hopLength: " + a.hopLength() + " exceeds winLength " + a.winLength()
                        + " (samples between windows would be ignored)");
            }
            if (a.winLength() > a.nFft()) {
                errors.add("preprocessing.audio.winLength: " + a.winLength() + " exceeds nFft " + a.nFft());
            }
            if (a.fMin() < 0 || a.fMax() <= a.fMin() || a.fMax() > p.sampleRate() / 2.0) {
                errors.add("preprocessing.audio.fMax: need 0 <= fMin < fMax <= sampleRate/2 but fMin=" + a.fMin()
                        + " fMax=" + a.fMax() + " sampleRate=" + p.sampleRate());
            }
            if (a.nMfcc() != null && a.nMfcc() < 0) {
                errors.add("preprocessing.audio.nMfcc: must be >= 0 but is " + a.nMfcc());
            }
            if ("mfcc".equals(a.kind()) && a.nMfccOrZero() <= 0) {
                errors.add("preprocessing.audio.nMfcc: must be positive for kind mfcc");
            }
            if ("logmel".equals(a.kind())
                    && (long) a.melFramesPerVideoFrame() * p.fps() * a.hopLength() != p.sampleRate()) {
                errors.add("preprocessing.audio.melFramesPerVideoFrame: melFramesPerVideoFrame*fps*hopLength = "
                        + a.melFramesPerVideoFrame() + "*" + p.fps() + "*" + a.hopLength() + " = "
                        + (long) a.melFramesPerVideoFrame() * p.fps() * a.hopLength()
                        + " but must equal sampleRate " + p.sampleRate());
            }
        }
    }

    private static void validateTensors(List<String> errors, String field, List<TensorSpec> tensors, boolean input) {
        if (tensors == null || tensors.isEmpty()) {
            errors.add(field + ": at least one " + (input ? "input" : "output") + " is required");
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorSpec t = tensors.get(i);
            String at = field + "[" + i + "]";
            if (t == null) {
                errors.add(at + ": null");
                continue;
            }
            if (t.name() == null || t.name().isBlank()) {
                errors.add(at + ".name: missing");
            } else if (!seen.add(t.name())) {
                errors.add(at + ".name: duplicate name '" + t.name() + "'");
            }
            oneOf(errors, at + ".dtype", t.dtype(), DTYPES);
            if (t.shape() == null || t.shape().isEmpty()) {
                errors.add(at + ".shape: missing or empty");
            } else {
                for (int d = 0; d < t.shape().size(); d++) {
                    Long dim = t.shape().get(d);
                    // windows go to the model in batches of any size: the batch dimension must be dynamic
                    boolean ok = dim != null && (d == 0 ? dim == -1 : dim > 0);
                    if (!ok) {
                        errors.add(at + ".shape[" + d + "]: must be " + (d == 0 ? "-1 (the batch dimension, "
                                + "windows are scored in batches of any size)" : "positive") + " but is " + dim);
                    }
                }
            }
            if (input) {
                oneOf(errors, at + ".feeds", t.feeds(), FEEDS);
                if (t.meaning() != null) {
                    errors.add(at + ".meaning: inputs have 'feeds', not 'meaning'");
                }
            } else {
                oneOf(errors, at + ".meaning", t.meaning(), MEANINGS);
                if (t.feeds() != null) {
                    errors.add(at + ".feeds: outputs have 'meaning', not 'feeds'");
                }
            }
        }
    }

    /**
     * A lag curve has one entry per lag −K..K, and the in-sync tolerance it is read with must leave lags outside it:
     * a mismatch would throw in every window's verdict step, and a restored job would throw again.
     */
    private void validateLagCurve(List<String> errors) {
        if (preprocessing == null || outputs == null) {
            return;
        }
        int k = preprocessing.offsetMarginFrames();
        boolean curve = false;
        Set<String> meanings = new HashSet<>();
        for (int i = 0; i < outputs.size(); i++) {
            TensorSpec t = outputs.get(i);
            if (t == null) {
                continue;
            }
            meanings.add(t.meaning());
            if (!"lag_curve".equals(t.meaning()) || t.shape() == null) {
                continue;
            }
            curve = true;
            if (t.shape().size() != 2 || !Long.valueOf(2L * k + 1).equals(t.shape().get(1))) {
                errors.add("outputs[" + i + "].shape: a lag_curve is [-1, 2K+1] = [-1, " + (2 * k + 1)
                        + "] for offsetMarginFrames K=" + k + " but is " + t.shape());
            }
        }
        // embedding models get their curve from the job's read-out, over the same lags
        curve |= meanings.contains("video_embedding") && meanings.contains("audio_embedding");
        if (calibration != null && calibration.get("toleranceFrames") != null
                && !(calibration.get("toleranceFrames") instanceof Number)) {
            return; // said by validateCalibration
        }
        double tolerance = calibrationNumber("toleranceFrames", 3);
        if (curve && (tolerance != Math.rint(tolerance) || tolerance < 0 || tolerance >= k)) {
            errors.add("calibration.toleranceFrames: must be a whole number in [0, offsetMarginFrames=" + k
                    + ") for a model with a lag curve but is " + tolerance
                    + (calibration == null || !calibration.containsKey("toleranceFrames") ? " (the default)" : ""));
        }
    }

    /** Calibration keys the job reads as numbers. */
    static final List<String> NUMERIC_CALIBRATION = List.of("toleranceFrames", "bias", "weightGap", "weightPeak",
            "weightConfidence", "videoBias", "videoWeightGap", "videoWeightPeak");
    /** The video-level read-out is used only with all of its weights. */
    static final List<String> VIDEO_CALIBRATION = List.of("videoBias", "videoWeightGap", "videoWeightPeak");

    /**
     * The calibration values the job reads are checked here, when the manifest loads: read first as the verdict
     * operator opens, a bad one would fail the job on every restart.
     */
    private void validateCalibration(List<String> errors) {
        if (calibration == null) {
            return;
        }
        for (String key : NUMERIC_CALIBRATION) {
            Object v = calibration.get(key);
            if (v != null && !(v instanceof Number n && Double.isFinite(n.doubleValue()))) {
                errors.add("calibration." + key + ": expected a number but found '" + v + "'");
            }
        }
        List<String> video = VIDEO_CALIBRATION.stream().filter(k -> calibration.get(k) != null).toList();
        if (!video.isEmpty() && video.size() != VIDEO_CALIBRATION.size()) {
            errors.add("calibration: the video read-out needs all of " + VIDEO_CALIBRATION + " or none, but has "
                    + video);
        }
    }

    /** An offset limit, when given: above 0 and within the {@code reachMs} the offset can reach. */
    private static void offsetLimit(List<String> errors, String name, Double limitMs, double reachMs) {
        if (limitMs == null) {
            return;
        }
        if (!(limitMs > 0)) {
            errors.add("thresholds." + name + ": must be > 0 but is " + limitMs);
        } else if (limitMs > reachMs) {
            errors.add("thresholds." + name + ": must be within the lags the offset is read from, "
                    + "(offsetMarginFrames - offsetSmoothingFrames) x 1000 / fps = " + reachMs + " ms, but is "
                    + limitMs);
        }
    }

    private void validateThresholds(List<String> errors) {
        if (thresholds == null) {
            errors.add("thresholds: missing");
            return;
        }
        unit(errors, "thresholds.decision", thresholds.decision());
        unit(errors, "thresholds.uncertainBand", thresholds.uncertainBand());
        // a band reaching 0 or 1 makes REAL or FAKE by score unreachable
        if (thresholds.decision() - thresholds.uncertainBand() <= 0
                || thresholds.decision() + thresholds.uncertainBand() >= 1) {
            errors.add("thresholds.uncertainBand: decision ± uncertainBand must stay inside (0, 1) but is "
                    + thresholds.decision() + " ± " + thresholds.uncertainBand());
        }
        unit(errors, "thresholds.minFaceFraction", thresholds.minFaceFraction());
        unit(errors, "thresholds.minSpeechFraction", thresholds.minSpeechFraction());
        if (thresholds.minEvidenceWindows() < 1) {
            errors.add("thresholds.minEvidenceWindows: must be >= 1 but is " + thresholds.minEvidenceWindows());
        }
        if (thresholds.maxWindowStd() != null) {
            unit(errors, "thresholds.maxWindowStd", thresholds.maxWindowStd());
        }
        if (thresholds.segmentThreshold() != null) {
            unit(errors, "thresholds.segmentThreshold", thresholds.segmentThreshold());
            // a suspicious stretch of windows each below the decision threshold would make a video FAKE
            if (thresholds.segmentThreshold() < thresholds.decision()) {
                errors.add("thresholds.segmentThreshold: must be at least decision (" + thresholds.decision()
                        + ") but is " + thresholds.segmentThreshold());
            }
        }
        if (thresholds.highRiskConfidence() != null) {
            unit(errors, "thresholds.highRiskConfidence", thresholds.highRiskConfidence());
        }
        if (thresholds.segmentMinSeconds() != null && !(thresholds.segmentMinSeconds() > 0)) {
            errors.add("thresholds.segmentMinSeconds: must be > 0 but is " + thresholds.segmentMinSeconds());
        }
        Integer smoothing = thresholds.offsetSmoothingFrames();
        int h = smoothing == null ? 0 : smoothing;
        // the video's offset is read from the lags the smoothing kernel fits around, ±(K - h): a limit beyond them can
        // never be passed, and its av-offset rule would never fire (NaN: no reach to check against)
        double reachMs = preprocessing != null && preprocessing.fps() > 0 && h >= 0
                && h < preprocessing.offsetMarginFrames()
                ? (preprocessing.offsetMarginFrames() - h) * 1000.0 / preprocessing.fps() : Double.NaN;
        offsetLimit(errors, "maxOffsetMs", thresholds.maxOffsetMs(), reachMs);
        offsetLimit(errors, "maxAudioLeadMs", thresholds.maxAudioLeadMs(), reachMs);
        if (thresholds.minRollingWindows() != null
                && thresholds.minRollingWindows() < thresholds.minEvidenceWindows()) {
            errors.add("thresholds.minRollingWindows: must be >= minEvidenceWindows but is "
                    + thresholds.minRollingWindows());
        }
        // the kernel must fit inside the lag curve with room for at least one lag on each side of zero
        if (smoothing != null && (smoothing < 0 || (smoothing > 0 && preprocessing != null
                && smoothing >= preprocessing.offsetMarginFrames()))) {
            errors.add("thresholds.offsetSmoothingFrames: must be in [0, offsetMarginFrames) but is "
                    + thresholds.offsetSmoothingFrames());
        }
        if (thresholds.minCropContrast() != null && !(thresholds.minCropContrast() >= 0)) {
            errors.add("thresholds.minCropContrast: must be >= 0 but is " + thresholds.minCropContrast());
        }
    }

    private static void requireText(List<String> errors, String field, String value) {
        if (value == null || value.isBlank()) {
            errors.add(field + ": must be a non-empty string");
        }
    }

    private static void positive(List<String> errors, String field, int value) {
        if (value <= 0) {
            errors.add(field + ": must be positive but is " + value);
        }
    }

    private static void unit(List<String> errors, String field, double value) {
        if (!(value >= 0 && value <= 1)) {
            errors.add(field + ": must be in [0,1] but is " + value);
        }
    }

    private static void oneOf(List<String> errors, String field, String value, Set<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            errors.add(field + ": unknown value '" + value + "' (allowed: " + new java.util.TreeSet<>(allowed) + ")");
        }
    }
}
