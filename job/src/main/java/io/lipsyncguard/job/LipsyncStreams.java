package io.lipsyncguard.job;

import io.lipsyncguard.connectors.kafka.ErrorRecord;
import io.lipsyncguard.job.score.ScoredWindow;
import io.lipsyncguard.job.verdict.Verdict;
import org.apache.flink.streaming.api.datastream.DataStream;

/** The workflow's outputs, for the caller to attach sinks to: verdicts, per-window scores and chunk errors. */
public record LipsyncStreams(DataStream<Verdict> verdicts, DataStream<ScoredWindow> scoredWindows,
        DataStream<ErrorRecord> errors) {}
