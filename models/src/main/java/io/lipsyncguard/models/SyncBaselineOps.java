package io.lipsyncguard.models;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** ONNX operators (opset 13-17 signatures) that Tribuo's {@code ONNXOperators} lacks, usable with {@code ONNXContext}. */
enum SyncBaselineOps implements ONNXOperator {
    ABS("Abs", 1, 0, 1),
    SQRT("Sqrt", 1, 0, 1),
    SLICE("Slice", 3, 2, 1),
    RESHAPE("Reshape", 2, 0, 1),
    SQUEEZE("Squeeze", 1, 1, 1),
    CONSTANT("Constant", 0, 0, 1, new ONNXAttribute("value", AttributeType.TENSOR, true)),
    REDUCE_MAX("ReduceMax", 1, 0, 1,
            new ONNXAttribute("axes", AttributeType.INTS, false),
            new ONNXAttribute("keepdims", AttributeType.INT, false)),
    REDUCE_LOG_SUM_EXP("ReduceLogSumExp", 1, 0, 1,
            new ONNXAttribute("axes", AttributeType.INTS, false),
            new ONNXAttribute("keepdims", AttributeType.INT, false)),
    ARG_MAX("ArgMax", 1, 0, 1,
            new ONNXAttribute("axis", AttributeType.INT, false),
            new ONNXAttribute("keepdims", AttributeType.INT, false),
            new ONNXAttribute("select_last_index", AttributeType.INT, false)),
    TOP_K("TopK", 2, 0, 2,
            new ONNXAttribute("axis", AttributeType.INT, false),
            new ONNXAttribute("largest", AttributeType.INT, false),
            new ONNXAttribute("sorted", AttributeType.INT, false));

    private final String opName;
    private final int numInputs;
    private final int numOptionalInputs;
    private final int numOutputs;
    private final Map<String, ONNXAttribute> attributes;
    private final Set<String> mandatory;

    SyncBaselineOps(String opName, int numInputs, int numOptionalInputs, int numOutputs, ONNXAttribute... attrs) {
        this.opName = opName;
        this.numInputs = numInputs;
        this.numOptionalInputs = numOptionalInputs;
        this.numOutputs = numOutputs;
        Map<String, ONNXAttribute> m = new LinkedHashMap<>();
        for (ONNXAttribute a : attrs) {
            m.put(a.getName(), a);
        }
        this.attributes = Collections.unmodifiableMap(m);
        this.mandatory = m.values().stream().filter(ONNXAttribute::isMandatory).map(ONNXAttribute::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return numInputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return numOptionalInputs;
    }

    @Override
    public int getNumOutputs() {
        return numOutputs;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return mandatory;
    }

    @Override
    public int getOpVersion() {
        return SyncBaselineModelBuilder.OPSET;
    }

    @Override
    public String getOpDomain() {
        return null;
    }
}
