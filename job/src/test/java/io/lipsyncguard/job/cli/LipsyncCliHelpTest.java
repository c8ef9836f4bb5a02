package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's {@code --help} renders as written: exit 0, a usage line and no picocli formatting warning. */
class LipsyncCliHelpTest {

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        List<String[]> invocations = new ArrayList<>();
        invocations.add(new String[] {"--help"});
        for (String name : new CommandLine(new LipsyncCli()).getSubcommands().keySet()) {
            if (!name.equals("help")) {
                invocations.add(new String[] {name, "--help"});
            }
        }
        assertThat(invocations).hasSizeGreaterThan(5);
        for (String[] args : invocations) {
            CliRun run = CliRun.of(args);
            String label = String.join(" ", args);
            assertThat(run.code()).as(label).isZero();
            assertThat(run.out()).as(label).contains("Usage: lipsync");
            // A bare '%' in a description makes picocli print a WARN and the raw, unwrapped string
            assertThat(run.out() + run.err()).as(label).doesNotContain("WARN").doesNotContain("%n");
        }
    }
}
