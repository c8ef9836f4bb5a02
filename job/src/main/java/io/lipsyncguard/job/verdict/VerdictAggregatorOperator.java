package io.lipsyncguard.job.verdict;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.score.ScoredWindow;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/** The {@link VerdictAggregator}'s operator: on a start or restore, it arms the wait of videos that had no timer. */
public final class VerdictAggregatorOperator extends KeyedProcessOperator<String, ScoredWindow, Verdict> {

    private final JobConfig config;

    public VerdictAggregatorOperator(JobConfig config) {
        super(new VerdictAggregator(config));
        this.config = config;
    }

    @Override
    public void open() throws Exception {
        super.open();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        ((VerdictAggregator) userFunction).started(now);
        // a video that ended before the wait after the END had a timer (a savepoint of 556769f or earlier) would wait
        // for its missing windows for ever: a function sees keys only as their events come, the operator sees all
        InternalTimerService<VoidNamespace> timers = getInternalTimerService("user-timers",
                VoidNamespaceSerializer.INSTANCE, this);
        long due = now + VerdictAggregator.endWaitMs(config.scoreTimeout());
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                VerdictAggregator.aggregateDescriptor(config), (key, state) -> {
                    if (VerdictAggregator.endedWithoutTimer(state.value())) {
                        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, due);
                    }
                });
    }
}
