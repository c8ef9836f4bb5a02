package io.lipsyncguard.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/** Reads a manifest as an order-preserving JSON tree and writes it back in one canonical, diff-friendly layout. */
public final class ManifestJson {

    static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private ManifestJson() {
    }

    /** The manifest as a mutable tree (field order as in the file). */
    public static ObjectNode readTree(Path manifestJson) {
        try {
            JsonNode n = MAPPER.readTree(Files.readAllBytes(manifestJson));
            if (!(n instanceof ObjectNode o)) {
                throw new ModelContractException("manifest " + manifestJson + ": top level is not a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw new ModelContractException("manifest " + manifestJson + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Writes the tree atomically-enough (temp file + move) in the canonical layout. */
    public static void writeTree(Path manifestJson, JsonNode tree) {
        try {
            Path tmp = manifestJson.resolveSibling(manifestJson.getFileName() + ".tmp");
            Files.writeString(tmp, render(tree), StandardCharsets.UTF_8);
            Files.move(tmp, manifestJson, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + manifestJson, e);
        }
    }

    /**
     * Canonical layout: 2-space indent, {@code "key": value}, arrays of scalars on one line, arrays holding
     * objects or arrays one element per line, trailing newline. Field order is kept as given.
     */
    public static String render(JsonNode tree) {
        StringBuilder sb = new StringBuilder();
        write(sb, tree, 0);
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, JsonNode n, int depth) {
        if (n.isObject()) {
            if (n.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                indent(sb, depth + 1);
                sb.append(quote(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), depth + 1);
                sb.append(it.hasNext() ? ",\n" : "\n");
            }
            indent(sb, depth);
            sb.append('}');
        } else if (n.isArray()) {
            boolean scalars = true;
            for (JsonNode c : n) {
                scalars &= c.isValueNode();
            }
            if (n.isEmpty()) {
                sb.append("[]");
            } else if (scalars) {
                sb.append('[');
                for (int i = 0; i < n.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append(n.get(i).toString());
                }
                sb.append(']');
            } else {
                sb.append("[\n");
                for (int i = 0; i < n.size(); i++) {
                    indent(sb, depth + 1);
                    write(sb, n.get(i), depth + 1);
                    sb.append(i + 1 < n.size() ? ",\n" : "\n");
                }
                indent(sb, depth);
                sb.append(']');
            }
        } else {
            sb.append(n.toString());
        }
    }

    private static String quote(String s) {
        return MAPPER.getNodeFactory().textNode(s).toString();
    }

    private static void indent(StringBuilder sb, int depth) {
        sb.append("  ".repeat(depth));
    }
}
