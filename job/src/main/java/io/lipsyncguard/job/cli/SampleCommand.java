package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sample}: writes the synthetic demo talking-head clips, or a labelled synthetic set for {@code evaluate}. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:clips written (their paths on stdout)",
            "2:bad usage: --labelled below 1, --seconds outside 1..3600, --seconds or --seed without --labelled, "
                    + "--labelled into a DIR whose 0_real or 1_fake holds videos already"},
        description = {"Write synthetic talking-head clips (in sync, shifted 400 ms, swapped, no face, no audio).",
            "With --labelled N: N in-sync clips under DIR/0_real and N shifted (+-200..600 ms) or swapped clips under "
                    + "DIR/1_fake, the layout `evaluate` reads."})
public final class SampleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Output directory.")
    Path dir;

    @Option(names = "--labelled", paramLabel = "N", description = "Write a labelled set of N clips per class instead "
            + "of the demo clips.")
    Integer labelled;

    @Option(names = "--seed", defaultValue = "1000", description = "First seed of the labelled set (default: 1000).")
    long seed;

    @Option(names = "--seconds", defaultValue = "8", description = "Length of each labelled clip (default: 8).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        if (labelled != null && labelled < 1) {
            System.err.println("sample: --labelled must be at least 1 but is " + labelled);
            return 2;
        }
        if (!(seconds >= 1 && seconds <= 3600)) {
            // windows need two seconds and more; an hour per clip is surely a typo
            System.err.println("sample: --seconds must be between 1 and 3600 but is " + seconds);
            return 2;
        }
        if (labelled == null && (spec.commandLine().getParseResult().hasMatchedOption("--seconds")
                || spec.commandLine().getParseResult().hasMatchedOption("--seed"))) {
            System.err.println("sample: --seconds and --seed are for --labelled sets; the demo clips are fixed");
            return 2;
        }
        if (labelled != null) {
            for (String sub : new String[] {"0_real", "1_fake"}) {
                Path d = dir.resolve(sub);
                int held = Files.isDirectory(d) ? io.lipsyncguard.connectors.MediaFileSources.listLocal(List.of(d))
                        .size() : 0;
                if (held > 0) {
                    // evaluate reads every video there: an earlier set's clips would mix with this one's, some
                    // with the same seeds (a real clip sharing its lips with a new fake)
                    System.err.println("sample: " + d + " already holds " + held + " video(s), of an earlier set? "
                            + "evaluate would read them with the new ones; give an empty or new DIR");
                    return 2;
                }
            }
        }
        Files.createDirectories(dir);
        List<Path> written = labelled == null ? TalkingHeadGenerator.writeDemoSet(dir)
                : TalkingHeadGenerator.writeLabelledSet(dir, labelled, seed, seconds);
        for (Path p : written) {
            System.out.println(p);
        }
        return 0;
    }
}
