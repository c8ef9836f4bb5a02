package io.lipsyncguard.models;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
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
 * reads such files beside it, which the manifest's sha256 does not cover. The field numbers are Tribuo's generated
 * ONNX classes' own.
 */
public final class ExternalDataScan {

    private ExternalDataScan() {
    }

    /** The names of the tensors (initializers, constants, sparse values, in subgraphs too) stored externally. */
    public static List<String> externalTensors(Path onnx) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(onnx), 1 << 16)) {
            CodedInputStream c = CodedInputStream.newInstance(in);
            c.setSizeLimit(Integer.MAX_VALUE); // protobuf files stop at 2 GiB; larger models are external anyway
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
            Kind inner = inner(kind, field);
            boolean tensor = holdsTensor(kind, field);
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

    /** The kind of message field {@code field} of a {@code kind} holds, when tensors may lie below it; else null. */
    private static Kind inner(Kind kind, int field) {
        return switch (kind) {
            case MODEL -> field == ModelProto.GRAPH_FIELD_NUMBER ? Kind.GRAPH
                    : field == ModelProto.FUNCTIONS_FIELD_NUMBER ? Kind.FUNCTION : null;
            case GRAPH -> field == GraphProto.NODE_FIELD_NUMBER ? Kind.NODE
                    : field == GraphProto.SPARSE_INITIALIZER_FIELD_NUMBER ? Kind.SPARSE : null;
            case NODE -> field == NodeProto.ATTRIBUTE_FIELD_NUMBER ? Kind.ATTRIBUTE : null;
            case FUNCTION -> field == FunctionProto.NODE_FIELD_NUMBER ? Kind.NODE : null;
            case ATTRIBUTE -> switch (field) {
                case AttributeProto.G_FIELD_NUMBER, AttributeProto.GRAPHS_FIELD_NUMBER -> Kind.GRAPH;
                case AttributeProto.SPARSE_TENSOR_FIELD_NUMBER, AttributeProto.SPARSE_TENSORS_FIELD_NUMBER ->
                        Kind.SPARSE;
                default -> null;
            };
            case SPARSE -> null;
        };
    }

    /** Whether field {@code field} of a {@code kind} is a tensor. */
    private static boolean holdsTensor(Kind kind, int field) {
        return switch (kind) {
            case GRAPH -> field == GraphProto.INITIALIZER_FIELD_NUMBER;
            case ATTRIBUTE -> field == AttributeProto.T_FIELD_NUMBER || field == AttributeProto.TENSORS_FIELD_NUMBER;
            case SPARSE -> field == SparseTensorProto.VALUES_FIELD_NUMBER
                    || field == SparseTensorProto.INDICES_FIELD_NUMBER;
            case MODEL, NODE, FUNCTION -> false;
        };
    }

    private static void tensor(CodedInputStream c, List<String> found) throws IOException {
        String name = "";
        boolean external = false;
        int tag;
        while ((tag = c.readTag()) != 0) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == TensorProto.NAME_FIELD_NUMBER
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                name = c.readString();
            } else if (field == TensorProto.DATA_LOCATION_FIELD_NUMBER
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
                external |= c.readEnum() == TensorProto.DataLocation.EXTERNAL_VALUE;
            } else {
                // where its data lies, if given, makes it external whatever data_location says
                external |= field == TensorProto.EXTERNAL_DATA_FIELD_NUMBER;
                c.skipField(tag);
            }
        }
        if (external) {
            found.add(name.isEmpty() ? "(unnamed)" : name);
        }
    }
}
