package io.lipsyncguard.connectors.kafka;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which claim-check URIs the job may open: a URI is accepted only if, once normalised, it lies under one of the
 * configured prefixes (e.g. {@code file:///data/}), so a producer cannot make the job read arbitrary files.
 *
 * <p>Normalisation decodes percent-escapes, resolves {@code .} and {@code ..} segments, drops empty segments and
 * lower-cases the scheme; a URI whose {@code ..} would climb above the root, or with a query, fragment, NUL or
 * backslash, is refused. Prefixes are normalised the same way and always end in {@code /}, so the prefix
 * {@code file:///data} allows {@code file:///data/x.mp4} but not {@code file:///database/x.mp4}. A local file that
 * exists must also lie under an allowed prefix once symbolic links are resolved on both sides.
 *
 * @param allowedPrefixes normalised prefixes, each ending in {@code /}; empty means every reference is refused
 */
public record ReferencePolicy(List<String> allowedPrefixes) implements Serializable {

    public ReferencePolicy {
        allowedPrefixes = allowedPrefixes.stream().map(ReferencePolicy::normalisePrefix).toList();
    }

    /** A policy accepting references under any of {@code prefixes}. */
    public static ReferencePolicy allowing(String... prefixes) {
        return new ReferencePolicy(List.of(prefixes));
    }

    /** A policy refusing every reference: inline chunks only. */
    public static ReferencePolicy denyAll() {
        return new ReferencePolicy(List.of());
    }

    /** The outcome of checking one URI: the normalised URI to open, or why it is refused. */
    public record Decision(String normalisedUri, String refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    /**
     * Longest URI accepted: a path (4096 bytes at most on Linux, 1024 for an S3 key), percent-encoded, and a scheme.
     * A longer one names no file, and every message about it would carry it.
     */
    public static final int MAX_URI_CHARS = 16_384;

    /** Checks {@code uri}; never throws. */
    public Decision check(String uri) {
        if (uri == null || uri.isBlank()) {
            return new Decision(null, ChunkContentTypes.REFERENCE_REASON_PREFIX + "has no uri");
        }
        if (uri.length() > MAX_URI_CHARS) {
            return new Decision(null, ChunkContentTypes.REFERENCE_REASON_PREFIX + "uri of " + uri.length()
                    + " characters exceeds the limit of " + MAX_URI_CHARS + ": " + quote(uri));
        }
        Optional<String> normalised;
        try {
            normalised = normalise(uri);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new Decision(null, ChunkContentTypes.REFERENCE_REASON_PREFIX + "uri is malformed: " + quote(uri));
        }
        if (normalised.isEmpty()) {
            return new Decision(null, ChunkContentTypes.REFERENCE_REASON_PREFIX + "uri is not a plain absolute path: "
                    + quote(uri));
        }
        String candidate = normalised.get();
        for (String prefix : allowedPrefixes) {
            if (candidate.startsWith(prefix)) {
                String escape = candidate.startsWith("file:") ? linkEscape(candidate) : null;
                return escape == null ? new Decision(candidate, null)
                        : new Decision(null, ChunkContentTypes.REFERENCE_REASON_PREFIX + "uri " + quote(uri) + escape);
            }
        }
        return new Decision(null, ChunkContentTypes.REFERENCE_REASON_PREFIX + "uri " + quote(uri)
                + " is outside the allowed prefixes " + allowedPrefixes);
    }

    /**
     * Canonical form of an absolute hierarchical URI, or empty if it has no such form (relative, opaque, query,
     * fragment, NUL/backslash in the path, or a {@code ..} above the root).
     */
    static Optional<String> normalise(String uri) throws URISyntaxException {
        URI parsed = new URI(uri.trim());
        if (!parsed.isAbsolute() || parsed.isOpaque() || parsed.getRawQuery() != null
                || parsed.getRawFragment() != null) {
            return Optional.empty();
        }
        // getPath() is decoded: "%2e%2e" and "%2f" are resolved here, not later by whoever opens the file.
        String path = parsed.getPath();
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            return Optional.empty();
        }
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.isEmpty()) {
                    return Optional.empty();
                }
                segments.removeLast();
            } else {
                segments.addLast(segment);
            }
        }
        StringBuilder clean = new StringBuilder();
        for (String segment : segments) {
            clean.append('/').append(segment);
        }
        if (clean.isEmpty() || path.endsWith("/")) {
            clean.append('/');
        }
        // The multi-argument constructor re-encodes what needs it, so equal locations compare as equal strings;
        // an empty rather than null authority keeps the usual "file:///x" spelling instead of "file:/x".
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        String authority = parsed.getRawAuthority() == null ? "" : parsed.getAuthority();
        return Optional.of(new URI(scheme, authority, clean.toString(), null, null).toString());
    }

    /**
     * Why a local file under an allowed prefix is refused after all, or null: a symbolic link below the prefix must
     * not lead to a file outside every allowed prefix (anyone who may write under the prefix could otherwise have the
     * job read any file the TaskManager can). Links are resolved on both sides; a file that does not exist (yet) is
     * left to the decoder, which reports it missing.
     */
    private String linkEscape(String candidate) {
        Path real;
        try {
            Path file = Path.of(URI.create(candidate));
            if (!Files.exists(file)) {
                return null;
            }
            real = file.toRealPath();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return escapeOf(real);
    }

    /**
     * Why the local file at {@code real} (a path with its links resolved) lies outside every allowed prefix, or null
     * when it lies under one. The decoder asks again as it opens the file: a link made after the record was read
     * (the file did not exist yet) must not lead outside either.
     */
    public String escapeOf(Path real) {
        for (String prefix : allowedPrefixes) {
            if (!prefix.startsWith("file:")) {
                continue;
            }
            try {
                Path root = Path.of(URI.create(prefix));
                if (real.startsWith(Files.exists(root) ? root.toRealPath() : root)) {
                    return null;
                }
            } catch (IOException | RuntimeException e) {
                // a prefix that cannot be resolved cannot vouch for the file
            }
        }
        return " leads through a symbolic link to " + quote(real.toString()) + ", outside the allowed prefixes";
    }

    private static String normalisePrefix(String prefix) {
        try {
            String normalised = normalise(prefix).orElseThrow(() ->
                    new IllegalArgumentException("reference prefix is not an absolute path URI: " + prefix));
            return normalised.endsWith("/") ? normalised : normalised + "/";
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("reference prefix is not a valid URI: " + prefix, e);
        }
    }

    private static String quote(String s) {
        String shortened = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return "'" + shortened + "'";
    }
}
