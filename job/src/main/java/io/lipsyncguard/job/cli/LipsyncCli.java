package io.lipsyncguard.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./lipsync}: dispatches to the subcommands. */
@Command(name = "lipsync", mixinStandardHelpOptions = true, version = "lipsync-guard 0.1.0",
        description = "Detects lip-sync deepfakes and audio/video desynchronisation with Apache Flink.",
        subcommands = {AnalyzeCommand.class, RunCommand.class, PublishCommand.class, SampleCommand.class, CalibrateCommand.class, BenchmarkCommand.class,
                LatencyBenchmarkCommand.class, ExplainCommand.class,
                EvaluateCommand.class,
            CommandLine.HelpCommand.class})
public final class LipsyncCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LipsyncCli()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
