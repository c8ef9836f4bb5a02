package io.lipsyncguard.connectors.kafka;

/** Signals, inside the consumer, that a record cannot become a media chunk; its message is the reported reason. */
final class MalformedRecordException extends Exception {

    MalformedRecordException(String reason) {
        // No stack trace: this is an expected outcome for bad input, reported as data, and may be frequent.
        super(reason, null, false, false);
    }
}
