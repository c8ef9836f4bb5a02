package io.lipsyncguard.models;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the tensors of an ONNX file that keep their data in external files, reading the protobuf field by field so
 * that a model of a gigabyte is checked without its weights on the heap. ONNX Runtime opening a model from its path
 * reads such files beside it, which the manifest's sha256 does not cover.
 */
public final class ExternalDataScan {

    // field numbers of onnx.proto
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_FUNCTIONS = 25;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_SPARSE_INITIALIZER = 15;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int FUNCTION_NODE = 7;
    private static final int ATTRIBUTE_T = 5;
    private static final int ATTRIBUTE_G = 6;
    private static final int ATTRIBUTE_TENSORS = 10;
    private static final int ATTRIBUTE_GRAPHS = 11;
    private static final int ATTRIBUTE_SPARSE_TENSOR = 22;
    private static final int ATTRIBUTE_SPARSE_TENSORS = 23;
    private static final int SPARSE_VALUES = 1;
    private static final int SPARSE_INDICES = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int DATA_LOCATION_EXTERNAL = 1;

    private ExternalDataScan() {
    }

    /** The names of the tensors (initializers, constants, sparse values, in subgraphs too) stored externally. */
    public static List<String> externalTensors(Path onnx) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(onnx), 1 << 16)) {
            CodedInputStream c = CodedInputStream.newInstance(in);
            c.setSizeLimit(Integer.MAX_VALUE); // protobuf files stop at 2 GiB; larger models are external anyway
            c.setRecursionLimit(Integer.MAX_VALUE);
            List<String> found = new ArrayList<>();
            message(c, found, Kind.MODEL);
            return found;
        }
    }

    private enum Kind { MODEL, GRAPH, NODE, FUNCTION, ATTRIBUTE, SPARSE }

    /** Reads one message of {@code kind} up to the current limit, descending into the fields that hold tensors. */
    private static void message(CodedInputStream c, List<String> found, Kind kind) throws IOException {
        int tag;
        while ((tag = c.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            Kind inner = null;
            boolean tensor = false;
            switch (kind) {
                case MODEL -> inner = field == MODEL_GRAPH ? Kind.GRAPH : field == MODEL_FUNCTIONS ? Kind.FUNCTION : null;
                case GRAPH -> {
                    inner = field == GRAPH_NODE ? Kind.NODE : field == GRAPH_SPARSE_INITIALIZER ? Kind.SPARSE : null;
                    tensor = field == GRAPH_INITIALIZER;
                }
                case NODE -> inner = field == NODE_ATTRIBUTE ? Kind.ATTRIBUTE : null;
                case FUNCTION -> inner = field == FUNCTION_NODE ? Kind.NODE : null;
                case ATTRIBUTE -> {
                    inner = field == ATTRIBUTE_G || field == ATTRIBUTE_GRAPHS ? Kind.GRAPH
                            : field == ATTRIBUTE_SPARSE_TENSOR || field == ATTRIBUTE_SPARSE_TENSORS ? Kind.SPARSE
                            : null;
                    tensor = field == ATTRIBUTE_T || field == ATTRIBUTE_TENSORS;
                }
                case SPARSE -> tensor = field == SPARSE_VALUES || field == SPARSE_INDICES;
                default -> throw new IllegalStateException(kind.name());
            }
            if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED || (inner == null && !tensor)) {
                c.skipField(tag); // the weights themselves are skipped, not read
                continue;
            }
            int limit = c.pushLimit(c.readRawVarint32());
            if (tensor) {
                tensor(c, found);
            } else {
                message(c, found, inner);
            }
            c.popLimit(limit);
        }
    }

    private static void tensor(CodedInputStream c, List<String> found) throws IOException {
        String name = "";
        boolean external = false;
        int tag;
        while ((tag = c.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == TENSOR_NAME && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                name = c.readString();
            } else if (field == TENSOR_DATA_LOCATION && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
                external |= c.readEnum() == DATA_LOCATION_EXTERNAL;
            } else if (field == TENSOR_EXTERNAL_DATA) {
                external = true; // where its data lies: external whatever data_location says
                c.skipField(tag);
            } else {
                c.skipField(tag);
            }
        }
        if (external) {
            found.add(name.isEmpty() ? "(unnamed)" : name);
        }
    }
}
