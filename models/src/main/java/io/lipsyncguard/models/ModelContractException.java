package io.lipsyncguard.models;

/** Thrown when a model manifest or an ONNX model breaks the model contract; the message names the offending field or tensor. */
public class ModelContractException extends RuntimeException {

    public ModelContractException(String message) {
        super(message);
    }

    public ModelContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
