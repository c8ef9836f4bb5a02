package io.lipsyncguard.job.cli;

import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sample}: writes the synthetic demo talking-head clips. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Write synthetic talking-head clips (in sync, shifted 400 ms, swapped, no face, no audio).")
public final class SampleCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Output directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        for (Path p : TalkingHeadGenerator.writeDemoSet(dir)) {
            System.out.println(p);
        }
        return 0;
    }
}
