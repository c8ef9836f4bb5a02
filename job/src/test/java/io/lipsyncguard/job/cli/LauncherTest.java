package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code ./lipsync} launcher, run by bash against a checkout whose build is current and a {@code java}
 * that is a script recording how it was started.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("..", "lipsync").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Path checkout;
    private Path record;

    @BeforeEach
    void checkoutWithACurrentBuild() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux's /proc");
        checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.copy(LAUNCHER, checkout.resolve("lipsync"));
        Path target = Files.createDirectories(checkout.resolve("job/target"));
        // no poms or sources here, so nothing is newer than the jar and the launcher builds nothing
        Files.writeString(target.resolve("lipsync-guard-job.jar"), "");
        Files.writeString(target.resolve("classpath-runtime.txt"), "runtime.jar");
        Files.writeString(target.resolve("classpath-provided.txt"), "provided.jar");
        record = dir.resolve("record.txt");
    }

    /** A fake java in {@code bin} that appends its name, its ignored signals and its arguments, then runs {@code then}. */
    private Path fakeJava(Path bin, String name, String then) throws IOException {
        Files.createDirectories(bin);
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n"
                + "{ echo \"java=" + name + "\"; grep '^SigIgn' /proc/self/status; printf 'arg=%s\\n' \"$@\"; } >> '"
                + record + "'\n" + then + "\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return java;
    }

    private Process start(Path launcher, Path pathDir, String javaHome) throws IOException {
        // started as a terminal's shell starts a command, with SIGINT and SIGQUIT at their defaults: this JVM may have
        // been started with them ignored (a build run in the background), and would pass that on
        ProcessBuilder pb = new ProcessBuilder("perl", "-e", "$SIG{INT} = $SIG{QUIT} = 'DEFAULT'; exec @ARGV or die",
                "bash", launcher.toString(), "analyze", "clip.mp4")
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", pathDir + ":" + System.getenv("PATH"));
        env.put("TMPDIR", dir.toString());
        env.remove("JAVA_HOME");
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome);
        }
        return pb.start();
    }

    private List<String> recorded() throws IOException {
        return Files.readAllLines(record);
    }

    @Test
    void theJvmStartsWithCtrlCNotIgnoredAndTheCheckoutAsHome() throws Exception {
        Path bin = dir.resolve("bin");
        fakeJava(bin, "path", "exit 0");
        Process p = start(checkout.resolve("lipsync"), bin, null);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
        String sigIgn = recorded().stream().filter(l -> l.startsWith("SigIgn")).findFirst().orElseThrow();
        long ignored = Long.parseUnsignedLong(sigIgn.substring(sigIgn.indexOf(':') + 1).trim(), 16);
        assertThat(ignored & (1L << (2 - 1))).as("SIGINT ignored in %s", sigIgn).isZero();
        assertThat(ignored & (1L << (3 - 1))).as("SIGQUIT ignored in %s", sigIgn).isZero();
        // standard error goes to a file here: no progress bar's carriage returns in it
        assertThat(recorded()).contains("arg=-Dlipsync.stderr.terminal=false");
        assertThat(recorded()).contains("java=path", "arg=-Dlipsync.home=" + checkout.toRealPath(),
                "arg=io.lipsyncguard.job.cli.LipsyncCli", "arg=analyze", "arg=clip.mp4");
    }

    @Test
    void ctrlCToTheLauncherEndsTheJvm() throws Exception {
        Path bin = dir.resolve("bin");
        // sleep keeps the signal dispositions it is started with, as the JVM does
        fakeJava(bin, "path", "exec sleep 60");
        Process p = start(checkout.resolve("lipsync"), bin, null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // the fake java, once it has exec'd its sleep: the process the signal must reach
        ProcessHandle jvm = null;
        while (jvm == null && System.nanoTime() < deadline) {
            jvm = p.toHandle().descendants().filter(h -> h.info().command().orElse("").endsWith("/sleep"))
                    .findFirst().orElse(null);
            Thread.sleep(20);
        }
        assertThat(jvm).as("the launcher started its java").isNotNull();
        assertThat(recorded()).contains("arg=clip.mp4");
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        // the JVM itself ends, not only the launcher (bash alone would die of the signal and leave it running)
        jvm.onExit().get(10, TimeUnit.SECONDS);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("launcher still running 10 s after SIGINT").isTrue();
        assertThat(p.exitValue()).as("the JVM's own status: ended by SIGINT").isEqualTo(130);
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("lipsync-run."));
        }
    }

    @Test
    void aLinkToTheLauncherRunsTheCheckoutItPointsTo() throws Exception {
        Path bin = dir.resolve("bin");
        fakeJava(bin, "path", "exit 0");
        Path links = Files.createDirectories(dir.resolve("home-bin"));
        Path link = Files.createSymbolicLink(links.resolve("lipsync"), checkout.resolve("lipsync"));
        Process p = start(link, bin, null);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
        assertThat(recorded()).contains("arg=-Dlipsync.home=" + checkout.toRealPath());
    }

    @Test
    void aBuildThatFailsExitsTwoAndRunsNothing() throws Exception {
        Path bin = dir.resolve("bin");
        fakeJava(bin, "path", "exit 0");
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\necho 'COMPILATION ERROR' >&2\nexit 1\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.delete(checkout.resolve("job/target/lipsync-guard-job.jar")); // so the launcher builds
        Process p = start(checkout.resolve("lipsync"), bin, null);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        // 1 is analyze's "an input could not be analysed"
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("out.txt"))).contains("COMPILATION ERROR",
                "lipsync: the build failed");
        assertThat(record).doesNotExist();
    }

    @Test
    void javaHomesJavaRunsBeforeTheOneOnPath() throws Exception {
        Path bin = dir.resolve("bin");
        fakeJava(bin, "path", "exit 0");
        Path jdk = dir.resolve("jdk");
        fakeJava(jdk.resolve("bin"), "java-home", "exit 0");
        Process p = start(checkout.resolve("lipsync"), bin, jdk.toString());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(recorded()).contains("java=java-home").doesNotContain("java=path");
        // a JAVA_HOME without a java falls back to PATH's
        Files.delete(record);
        Process q = start(checkout.resolve("lipsync"), bin, dir.resolve("no-jdk").toString());
        assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(recorded()).contains("java=path");
    }
}
