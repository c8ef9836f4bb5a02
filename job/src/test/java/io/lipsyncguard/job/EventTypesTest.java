package io.lipsyncguard.job;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ErrorRecord;
import io.lipsyncguard.job.media.FaceTrackState;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.ModelRef;
import io.lipsyncguard.job.verdict.ScoreStats;
import io.lipsyncguard.job.verdict.Segment;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VideoAggregate;
import io.lipsyncguard.job.verdict.WindowCounts;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.VideoBuffer;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every type that crosses an operator boundary or lives in state must be a Flink POJO, never Kryo. */
class EventTypesTest {

    @ParameterizedTest
    @ValueSource(classes = {MediaChunk.class, AvWindow.class, ScoredWindow.class, Verdict.class, ScoreStats.class,
        WindowCounts.class, ModelRef.class, Segment.class, VideoBuffer.class, FaceTrackState.class, VideoAggregate.class,
        ErrorRecord.class})
    void serializedAsPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }
}
