package io.lipsyncguard.job.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lipsyncguard.job.cli.LipsyncCli;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code evaluate} over an AVLips-layout directory of real encoded clips, through the real workflow. */
class EvaluateITCase {

    @TempDir
    Path tmp;

    @Test
    void measuresTheModelOnALabelledSet() throws Exception {
        Path set = tmp.resolve("set");
        Path real = Files.createDirectories(set.resolve("0_real/speaker-a"));
        Path fake = Files.createDirectories(set.resolve("1_fake"));
        TalkingHeadGenerator.write(real.resolve("a.mp4"), SampleSpec.inSync(51, 6));
        TalkingHeadGenerator.write(set.resolve("0_real/b.mp4"), SampleSpec.inSync(52, 6));
        TalkingHeadGenerator.write(fake.resolve("c.mp4"), SampleSpec.shifted(53, 6, 400));
        TalkingHeadGenerator.write(fake.resolve("d.mp4"), SampleSpec.shifted(54, 6, -400));
        Files.writeString(fake.resolve("notes.txt"), "not a video");
        // a labelled file that is no video: named on stderr, left out of the metrics, and exit code 1
        Path broken = fake.resolve("broken.mp4");
        Files.writeString(broken, "not an mp4 either");
        Path out = tmp.resolve("evaluation.json");

        java.io.PrintStream savedErr = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            code = new CommandLine(new LipsyncCli()).execute("evaluate", set.toString(), "--device", "cpu",
                    "--out", out.toString());
        } finally {
            System.setErr(savedErr);
        }

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("evaluate: " + broken.toAbsolutePath().normalize() + " could not be analysed: ");
        JsonNode r = new ObjectMapper().readTree(out.toFile());
        JsonNode m = r.get("metrics");
        assertThat(m.get("videos").asInt()).isEqualTo(5);
        assertThat(m.get("scored").asInt()).isEqualTo(4);
        assertThat(r.get("videos")).hasSize(5);
        long fakes = 0;
        for (JsonNode v : r.get("videos")) {
            boolean isFake = v.get("videoId").asText().contains("1_fake");
            assertThat(v.get("label").asText()).isEqualTo(isFake ? "fake" : "real");
            fakes += isFake ? 1 : 0;
        }
        assertThat(fakes).isEqualTo(3);
        // the confusion matrix accounts for every scored video, and the synthetic shifts separate cleanly
        JsonNode c = m.get("confusion");
        assertThat(c.get(0).get(0).asLong() + c.get(0).get(1).asLong() + c.get(1).get(0).asLong()
                + c.get(1).get(1).asLong()).isEqualTo(m.get("scored").asLong());
        assertThat(m.get("rocAuc").asDouble()).isEqualTo(1.0);
        assertThat(m.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(m.get("uncertainRate").asDouble()).isBetween(0.0, 1.0);
    }
}
