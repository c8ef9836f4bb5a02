package io.lipsyncguard.job;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ReferencePolicy;
import io.lipsyncguard.job.media.ChunkDecoder;
import io.lipsyncguard.job.media.ChunkDecoderOperator;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.score.WindowScorer;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictAggregatorOperator;
import io.lipsyncguard.job.window.AvWindow;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The lipsync-guard workflow, independent of sources and sinks: chunks → decode and window (keyed by video) →
 * async micro-batched scoring → per-video verdicts.
 */
public final class LipsyncWorkflow {

    private LipsyncWorkflow() {}

    /** Settings every environment running the workflow must have: no silent Kryo fallback. */
    public static Configuration baseConfiguration() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        return conf;
    }

    public static LipsyncStreams defineWorkflow(DataStream<MediaChunk> chunks, JobConfig config) {
        return defineWorkflow(chunks, config, null);
    }

    /**
     * The workflow over chunks whose references {@code references} admitted: the decoder checks each local file
     * against it again as it opens it (null for a trusted source, such as the files {@code analyze} is given).
     */
    public static LipsyncStreams defineWorkflow(DataStream<MediaChunk> chunks, JobConfig config,
            ReferencePolicy references) {
        // whatever environment it is built in: a type that fell back to Kryo would fail here, not in a restore
        chunks.getExecutionEnvironment().configure(baseConfiguration());
        SingleOutputStreamOperator<AvWindow> windows = chunks
                .keyBy(MediaChunk::videoId)
                // the function's own operator, but for what a restore needs of it (ChunkDecoderOperator)
                .transform("decode-and-window", TypeInformation.of(AvWindow.class),
                        new ChunkDecoderOperator(config, references))
                .uid("chunk-decoder");
        // ordered: a video's END event must reach the aggregator after all its windows
        SingleOutputStreamOperator<ScoredWindow> scored = AsyncDataStream
                .orderedWait(windows, new WindowScorer(config), config.scoreTimeout().toMillis(),
                        TimeUnit.MILLISECONDS, config.asyncCapacity())
                .name("score-windows")
                .uid("window-scorer");
        SingleOutputStreamOperator<Verdict> verdicts = scored
                .keyBy(ScoredWindow::videoId)
                // the function's own operator, but for what a restore needs of it (VerdictAggregatorOperator)
                .transform("aggregate-verdicts", TypeInformation.of(Verdict.class),
                        new VerdictAggregatorOperator(config))
                .uid("verdict-aggregator");
        return new LipsyncStreams(verdicts, scored, windows.getSideOutput(ChunkDecoder.ERRORS));
    }
}
