package io.lipsyncguard.connectors.kafka;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/** Turns the embedded broker's own loggers down to errors when log4j-core is the logging backend. */
final class BrokerLogLevels {

    /** Server-side loggers: at INFO they print hundreds of lines per start, drowning the job's own output. */
    static final List<String> BROKER_LOGGERS = List.of(
            "kafka", "state.change.logger", "org.apache.kafka.server", "org.apache.kafka.controller",
            "org.apache.kafka.raft", "org.apache.kafka.metadata", "org.apache.kafka.image",
            "org.apache.kafka.storage", "org.apache.kafka.coordinator", "org.apache.kafka.snapshot",
            "org.apache.kafka.queue", "org.apache.kafka.common.test", "org.apache.kafka.common.network",
            "org.apache.kafka.common.config", "org.apache.kafka.common.utils.AppInfoParser");

    private BrokerLogLevels() {}

    /** Best effort: with another backend, or without log4j-core on the class path, logging stays as configured. */
    static void quiet() {
        try {
            Apply.errorsOnly();
        } catch (LinkageError | RuntimeException e) {
            // Not log4j-core (e.g. logback in some host application): nothing to adjust.
        }
    }

    /** Kept apart so that log4j-core classes are only loaded inside the guarded call above. */
    private static final class Apply {
        static void errorsOnly() {
            // Kafka's own LoggingController only adjusts loggers that already exist, i.e. not before the broker runs.
            Map<String, Level> levels =
                    BROKER_LOGGERS.stream().collect(Collectors.toMap(Function.identity(), name -> Level.ERROR));
            Configurator.setLevel(levels);
        }
    }
}
