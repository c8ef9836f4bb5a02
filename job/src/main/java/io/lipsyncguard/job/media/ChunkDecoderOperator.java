package io.lipsyncguard.job.media;

import io.lipsyncguard.connectors.MediaChunk;
import io.lipsyncguard.connectors.kafka.ReferencePolicy;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.window.AvWindow;
import io.lipsyncguard.job.window.VideoBuffer;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/**
 * The {@link ChunkDecoder}'s operator: restored with an idle timeout from a run without one, it arms the idle timer of
 * every live video, which the function itself arms only as a video's chunks come.
 */
public final class ChunkDecoderOperator extends KeyedProcessOperator<String, MediaChunk, AvWindow> {

    private final JobConfig config;
    /** The idle timeout (ms, 0: never) each subtask ran with, as a restore finds it. */
    private transient ListState<Long> idleTimeouts;
    private transient boolean walkNeeded;
    /** Videos the last {@link #open()} armed a timer for (-1: no walk was needed), for tests. */
    transient long videosArmed = -1;

    public ChunkDecoderOperator(JobConfig config, ReferencePolicy references) {
        super(new ChunkDecoder(config, references));
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // union: every subtask sees what all ran with, whatever the parallelism it is restored at
        idleTimeouts = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("decoder-idle-timeout-ms", Types.LONG));
        boolean ranWithout = false;
        for (Long ms : idleTimeouts.get()) {
            ranWithout |= ms != null && ms == 0;
        }
        // a state from before this record is not walked: it ran with the timers its videos have
        walkNeeded = context.isRestored() && ranWithout && idleTimeoutMs() > 0;
    }

    @Override
    public void open() throws Exception {
        super.open();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        // the idle wait of a restored video counts from here, the walk's timers included
        ((ChunkDecoder) userFunction).noteFirstCall(now);
        // a live stream whose producer went away while the job ran with "never" would, restored with a timeout, wait
        // for a chunk that never comes until its state expires, without a verdict: only its next chunk arms a timer
        if (walkNeeded) {
            InternalTimerService<VoidNamespace> timers = getInternalTimerService("user-timers",
                    VoidNamespaceSerializer.INSTANCE, this);
            long due = now + idleTimeoutMs();
            long[] armed = {0};
            getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    ChunkDecoder.bufferDescriptor(config), (key, state) -> {
                        VideoBuffer b = state.value();
                        if (b != null && !b.ended && b.idleTimerMs <= 0) {
                            b.idleTimerMs = due;
                            state.update(b);
                            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, due);
                            armed[0]++;
                        }
                    });
            videosArmed = armed[0];
        }
        idleTimeouts.update(List.of(idleTimeoutMs()));
    }

    private long idleTimeoutMs() {
        return config.idleTimeout() == null ? 0 : config.idleTimeout().toMillis();
    }
}
