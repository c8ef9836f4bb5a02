package io.lipsyncguard.job.media;

/** Media that FFmpeg cannot open or decode; the message says what was tried and why it failed. */
public class MediaDecodeException extends Exception {

    public MediaDecodeException(String message) {
        super(message);
    }

    public MediaDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
