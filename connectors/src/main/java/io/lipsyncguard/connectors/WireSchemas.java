package io.lipsyncguard.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The published JSON Schemas of the job's output messages (verdicts, dead-letter records, window scores) and
 * validators for them, so tests, tools and consumers check messages against the very file in the repository. The
 * files allow properties they do not list, so a consumer that validates keeps working when a later version adds one;
 * the job's own checks ({@link #verdictProblems}, {@link #errorProblems}, {@link #windowScoreProblems}) allow none, so
 * a renamed or stray field fails its tests.
 */
public final class WireSchemas {

    /** Classpath resource of the verdict message schema. */
    public static final String VERDICT = "/schema/verdict.schema.json";

    /** Classpath resource of the dead-letter record schema. */
    public static final String ERROR = "/schema/error.schema.json";

    /** Classpath resource of the window score schema (the scores topic, analyze --windows). */
    public static final String WINDOW_SCORE = "/schema/window-score.schema.json";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static volatile Schema verdict;
    private static volatile Schema error;
    private static volatile Schema verdictAsPublished;
    private static volatile Schema windowScore;

    private WireSchemas() {}

    /**
     * The problems of one verdict message against the schema, no properties beyond those it lists allowed (what this
     * version emits), each naming the property; empty when valid.
     */
    public static List<String> verdictProblems(String json) {
        if (verdict == null) {
            verdict = load(VERDICT, true);
        }
        return problems(verdict, json);
    }

    /** As a consumer validates with the published file: properties it does not list are accepted. */
    public static List<String> publishedVerdictProblems(String json) {
        if (verdictAsPublished == null) {
            verdictAsPublished = load(VERDICT, false);
        }
        return problems(verdictAsPublished, json);
    }

    /** The problems of one dead-letter record against the schema (no other properties allowed); empty when valid. */
    public static List<String> errorProblems(String json) {
        if (error == null) {
            error = load(ERROR, true);
        }
        return problems(error, json);
    }

    /** The problems of one window score message against the schema (no other properties allowed); empty when valid. */
    public static List<String> windowScoreProblems(String json) {
        if (windowScore == null) {
            windowScore = load(WINDOW_SCORE, true);
        }
        return problems(windowScore, json);
    }

    private static List<String> problems(Schema schema, String json) {
        try {
            return schema.validate(json, InputFormat.JSON).stream()
                    .map(e -> e.getInstanceLocation() + ": " + e.getMessage())
                    .toList();
        } catch (UncheckedIOException e) {
            // text that is not JSON at all is a problem of the message, not a failure of the check
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return List.of("not JSON: " + cause.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Schema load(String resource, boolean exact) {
        try (InputStream in = WireSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is not on the classpath");
            }
            JsonNode schema = JSON.readTree(in);
            if (exact) {
                closeObjects(schema);
            }
            return REGISTRY.getSchema(new ByteArrayInputStream(JSON.writeValueAsBytes(schema)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }

    /**
     * Every object schema that lists its properties allows no others; not the conditions of {@code if}, which name a
     * property to test and would otherwise never match a whole message.
     */
    private static void closeObjects(JsonNode node) {
        if (node instanceof ObjectNode object && object.has("properties") && !object.has("additionalProperties")) {
            object.put("additionalProperties", false);
        }
        var fields = node.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (!field.getKey().equals("if")) {
                closeObjects(field.getValue());
            }
        }
        if (node.isArray()) {
            for (JsonNode child : node) {
                closeObjects(child);
            }
        }
    }
}
