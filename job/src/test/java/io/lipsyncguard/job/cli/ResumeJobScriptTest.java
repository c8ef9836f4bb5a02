package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose job manager's entry point ({@code deploy/flink/resume-job.sh}), run by bash against a checkpoint folder
 * and a Flink entry point that records its arguments.
 */
class ResumeJobScriptTest {

    private static final Path SCRIPT = Path.of("..", "deploy", "flink", "resume-job.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private List<String> run(Path checkpoints) throws Exception {
        Path record = dir.resolve("args.txt");
        Path entry = dir.resolve("docker-entrypoint.sh");
        Files.writeString(entry, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '" + record + "'\n");
        Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "--job-classname", "x.Job", "--device", "cpu")
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        pb.environment().put("LIPSYNC_CHECKPOINT_DIR", checkpoints.toString());
        pb.environment().put("FLINK_ENTRYPOINT", entry.toString());
        Process p = pb.start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
        return Files.readAllLines(record);
    }

    private Path checkpoint(Path root, String job, int n, boolean complete, long ageSeconds) throws IOException {
        Path chk = Files.createDirectories(root.resolve(job).resolve("chk-" + n));
        if (complete) {
            Path metadata = Files.writeString(chk.resolve("_metadata"), "m");
            Files.setLastModifiedTime(metadata, FileTime.from(Instant.now().minusSeconds(ageSeconds)));
        }
        return chk;
    }

    @Test
    void withoutACheckpointTheJobStartsAfresh() throws Exception {
        assertThat(run(dir.resolve("absent"))).containsExactly("standalone-job", "--job-classname", "x.Job",
                "--device", "cpu");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        checkpoint(empty, "job-a", 4, false, 0); // begun, never completed
        assertThat(run(empty)).containsExactly("standalone-job", "--job-classname", "x.Job", "--device", "cpu");
    }

    @Test
    void theNewestCompletedCheckpointOfAnyEarlierJobIsResumedFrom() throws Exception {
        Path root = Files.createDirectories(dir.resolve("checkpoints"));
        checkpoint(root, "job-a", 90, true, 600); // an earlier run's, older
        Path newest = checkpoint(root, "job-b", 7, true, 60);
        checkpoint(root, "job-b", 8, false, 0); // in progress when the job manager died
        assertThat(run(root)).containsExactly("standalone-job", "--fromSavepoint", newest.toString(),
                "--job-classname", "x.Job", "--device", "cpu");
    }
}
