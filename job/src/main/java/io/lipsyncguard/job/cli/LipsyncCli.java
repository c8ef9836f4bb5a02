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
public final class LipsyncCli implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its failure handling: an exception no command turned into a message ends in one line
     * on stderr saying what failed, and exit code 1; the stack trace follows only with {@code LIPSYNC_DEBUG} set.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new LipsyncCli()).setExecutionExceptionHandler((e, cl, parsed) -> {
            System.err.println(cl.getCommandName() + ": " + describe(e));
            if (System.getenv("LIPSYNC_DEBUG") != null) {
                e.printStackTrace();
            } else {
                System.err.println("(LIPSYNC_DEBUG=1 shows the stack trace)");
            }
            System.err.flush();
            return 1;
        });
    }

    /** The innermost cause of {@code e}, where a library's wrappers leave the reason. */
    static Throwable innermost(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The innermost cause of {@code e}: its type (what kind of failure) and its message (what it concerned). */
    static String describe(Throwable e) {
        Throwable t = innermost(e);
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** Without a command: the usage, and exit code 2 (a script that forgot the command must not pass). */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }
}
