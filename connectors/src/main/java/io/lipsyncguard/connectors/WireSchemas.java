package io.lipsyncguard.connectors;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The published JSON Schemas of the job's output messages (verdicts, dead-letter records) and a validator for them,
 * so tests, tools and consumers check messages against the very file in the repository.
 */
public final class WireSchemas {

    /** Classpath resource of the verdict message schema. */
    public static final String VERDICT = "/schema/verdict.schema.json";

    /** Classpath resource of the dead-letter record schema. */
    public static final String ERROR = "/schema/error.schema.json";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private static volatile Schema verdict;
    private static volatile Schema error;

    private WireSchemas() {}

    /** The problems of one verdict message against the schema, each naming the property; empty when valid. */
    public static List<String> verdictProblems(String json) {
        if (verdict == null) {
            verdict = load(VERDICT);
        }
        return problems(verdict, json);
    }

    /** The problems of one dead-letter record against the schema; empty when valid. */
    public static List<String> errorProblems(String json) {
        if (error == null) {
            error = load(ERROR);
        }
        return problems(error, json);
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

    private static Schema load(String resource) {
        try (InputStream in = WireSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema " + resource + " is not on the classpath");
            }
            return REGISTRY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema " + resource, e);
        }
    }
}
