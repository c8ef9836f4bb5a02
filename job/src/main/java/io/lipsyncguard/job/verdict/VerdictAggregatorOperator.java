package io.lipsyncguard.job.verdict;

import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.score.ScoredWindow;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;

/** The {@link VerdictAggregator}'s operator: on a start or restore, it arms the wait of videos that had no timer. */
public final class VerdictAggregatorOperator extends KeyedProcessOperator<String, ScoredWindow, Verdict> {

    private final JobConfig config;
    /** Set once the key walk below has run: a state written since carries it, and is not walked again. */
    private transient ListState<Boolean> timersArmed;
    private transient boolean walkNeeded;
    /** Keys the last {@link #open()} walked (-1: none, the state already had its timers), for tests. */
    transient long keysWalked = -1;

    public VerdictAggregatorOperator(JobConfig config) {
        super(new VerdictAggregator(config));
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        // union: every subtask sees the flag of all, whatever the parallelism it is restored at
        timersArmed = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("verdict-timers-armed", Types.BOOLEAN));
        walkNeeded = context.isRestored() && !timersArmed.get().iterator().hasNext();
    }

    @Override
    public void open() throws Exception {
        super.open();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        ((VerdictAggregator) userFunction).started(now);
        // a video that ended before the wait after the END had a timer (a savepoint of 556769f or earlier) would wait
        // for its missing windows for ever: a function sees keys only as their events come, the operator sees all.
        // Only state written before this flag existed needs it: the walk reads every key, the markers of ended
        // videos among them, and the task does not run until it is done
        if (walkNeeded) {
            InternalTimerService<VoidNamespace> timers = getInternalTimerService("user-timers",
                    VoidNamespaceSerializer.INSTANCE, this);
            long due = now + VerdictAggregator.endWaitMs(config.scoreTimeout());
            long[] keys = {0};
            getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    VerdictAggregator.aggregateDescriptor(config), (key, state) -> {
                        keys[0]++;
                        if (VerdictAggregator.endedWithoutTimer(state.value())) {
                            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, due);
                        }
                    });
            keysWalked = keys[0];
        }
        timersArmed.update(java.util.List.of(Boolean.TRUE));
    }
}
