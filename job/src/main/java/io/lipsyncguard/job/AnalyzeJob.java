package io.lipsyncguard.job;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.MediaFileSources;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Wires the bounded file source into the workflow: what {@code ./lipsync analyze} runs. */
public final class AnalyzeJob {

    private AnalyzeJob() {}

    public static LipsyncStreams build(StreamExecutionEnvironment env, List<Path> inputs, JobConfig config) {
        List<org.apache.flink.core.fs.Path> paths = inputs.stream()
                // normalised: a video's id is its path, the same however the command line spelled it
                .map(p -> new org.apache.flink.core.fs.Path(p.toAbsolutePath().normalize().toUri()))
                .toList();
        DataStream<MediaChunk> chunks = env
                .fromSource(MediaFileSources.forPaths(paths), WatermarkStrategy.noWatermarks(), "media-files")
                .uid("media-file-source");
        // a bounded input ends with its files' decode steps still pending, which Flink would drop: decode in one go
        return LipsyncWorkflow.defineWorkflow(chunks, config.withInterleavedDecodes(false));
    }
}
