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
        Path out = tmp.resolve("evaluation.json");

        int code = new CommandLine(new LipsyncCli()).execute("evaluate", set.toString(), "--device", "cpu",
                "--out", out.toString());

        assertThat(code).isZero();
        JsonNode r = new ObjectMapper().readTree(out.toFile());
        JsonNode m = r.get("metrics");
        assertThat(m.get("videos").asInt()).isEqualTo(4);
        assertThat(r.get("videos")).hasSize(4);
        long fakes = 0;
        for (JsonNode v : r.get("videos")) {
            boolean isFake = v.get("videoId").asText().contains("1_fake");
            assertThat(v.get("label").asText()).isEqualTo(isFake ? "fake" : "real");
            fakes += isFake ? 1 : 0;
        }
        assertThat(fakes).isEqualTo(2);
        // the confusion matrix accounts for every scored video, and the synthetic shifts separate cleanly
        JsonNode c = m.get("confusion");
        assertThat(c.get(0).get(0).asLong() + c.get(0).get(1).asLong() + c.get(1).get(0).asLong()
                + c.get(1).get(1).asLong()).isEqualTo(m.get("scored").asLong());
        assertThat(m.get("rocAuc").asDouble()).isEqualTo(1.0);
        assertThat(m.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(m.get("uncertainRate").asDouble()).isBetween(0.0, 1.0);
    }
}
