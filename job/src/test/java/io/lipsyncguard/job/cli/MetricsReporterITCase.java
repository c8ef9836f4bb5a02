package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lipsyncguard.job.AnalyzeJob;
import io.lipsyncguard.job.JobConfig;
import io.lipsyncguard.job.LipsyncWorkflow;
import io.lipsyncguard.job.sample.SampleSpec;
import io.lipsyncguard.job.sample.TalkingHeadGenerator;
import io.lipsyncguard.job.verdict.Label;
import io.lipsyncguard.job.verdict.Verdict;
import io.lipsyncguard.job.verdict.VerdictKind;
import io.lipsyncguard.models.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus reporter that the image's configuration and the FlinkDeployment set up serves the job's own metrics
 * while it runs, scraped over HTTP as Prometheus would, under the names and labels the alert rules select.
 */
class MetricsReporterITCase {

    /** Not the shipped 9249, which a build machine may have taken; the factory class is the shipped one. */
    static final int FIRST_PORT = 19249;
    static final int LAST_PORT = 19258;
    /** The reporter turns characters Prometheus does not allow in label values into underscores. */
    static final Pattern DECODER_LABEL = Pattern.compile("operator_name=\"decode.and.window\"");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .setConfiguration(configuration())
                    .build());

    @TempDir
    static Path tmp;

    static Configuration configuration() {
        JsonNode prom;
        try {
            Path config = DeploymentManifestsTest.ROOT.resolve("deploy/flink/config.yaml");
            prom = DeploymentManifestsTest.YAML.readTree(config.toFile()).at("/metrics/reporter/prom");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Configuration conf = LipsyncWorkflow.baseConfiguration();
        conf.set(ConfigOptions.key("metrics.reporter.prom.factory.class").stringType().noDefaultValue(),
                prom.at("/factory/class").asText());
        conf.set(ConfigOptions.key("metrics.reporter.prom.port").stringType().noDefaultValue(),
                FIRST_PORT + "-" + LAST_PORT);
        return conf;
    }

    @Test
    void theJobsOwnMetricsAreServedWhileItRuns() throws Exception {
        Path clip = tmp.resolve("in_sync_30s.mp4");
        TalkingHeadGenerator.write(clip, SampleSpec.inSync(61, 30));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JobConfig config = JobConfig.defaults(ModelPaths.defaultManifest()).withDevice(Device.CPU);
        CloseableIterator<Verdict> verdicts = AnalyzeJob.build(env, List.of(clip), config).verdicts().collectAsync();
        env.executeAsync(ClusterJob.JOB_NAME); // the name the alert rules select
        CompletableFuture<List<Verdict>> finals = CompletableFuture.supplyAsync(() -> {
            List<Verdict> out = new ArrayList<>();
            try (verdicts) {
                verdicts.forEachRemaining(v -> {
                    if (v.kind() != VerdictKind.ROLLING) {
                        out.add(v);
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return out;
        });

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long windowsScored = 0;
        boolean decoderCounters = false;
        boolean jobManager = false;
        // task metrics exist only while the job runs: scrape until it ends
        do {
            for (int port = FIRST_PORT; port <= LAST_PORT; port++) {
                String page = scrape(http, port);
                SERIES.addAll(series(page));
                jobManager |= page.contains("flink_jobmanager_numRegisteredTaskManagers");
                decoderCounters |= page.contains("flink_taskmanager_job_task_operator_chunkErrors")
                        && DECODER_LABEL.matcher(page).find();
                windowsScored = Math.max(windowsScored, sum(page, "flink_taskmanager_job_task_operator_windowsScored"));
            }
            Thread.sleep(50);
        } while (!finals.isDone());
        List<Verdict> out = finals.get();
        assertThat(out).singleElement().satisfies(v -> assertThat(v.verdict()).isEqualTo(Label.REAL));
        assertThat(jobManager).as("the job manager's metrics").isTrue();
        assertThat(decoderCounters).as("the decoder's counters, labelled with its operator").isTrue();
        assertThat(windowsScored).as("windows scored, as counted while the job ran").isPositive()
                .isLessThanOrEqualTo(out.get(0).windows().scored());

        // every series the alert rules select exists under that name and those labels
        JsonNode rules = DeploymentManifestsTest.monitoring("PrometheusRule");
        List<String> selectors = new ArrayList<>();
        for (JsonNode rule : rules.at("/spec/groups/0/rules")) {
            Matcher m = SELECTOR.matcher(rule.at("/expr").asText());
            while (m.find()) {
                selectors.add(m.group());
            }
        }
        assertThat(selectors).hasSizeGreaterThanOrEqualTo(rules.at("/spec/groups/0/rules").size());
        for (String selector : selectors) {
            Matcher m = SELECTOR.matcher(selector);
            assertThat(m.matches()).isTrue();
            List<String> labels = List.of(m.group(2).split(","));
            assertThat(SERIES).as("a series for %s", selector)
                    .anyMatch(s -> s.startsWith(m.group(1) + "{") && labels.stream().allMatch(s::contains));
        }
    }

    /** A metric with equality label matchers, as the alert rules write them. */
    static final Pattern SELECTOR = Pattern.compile("(flink_[A-Za-z0-9_]+)\\{([^}]*)}");

    /** Every series seen, as {@code name{labels}}. */
    static final Set<String> SERIES = new TreeSet<>();

    static Set<String> series(String page) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*\\{[^}]*})").matcher(page);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String scrape(HttpClient http, int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return ""; // nothing listens on this port of the range
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The sum over all label sets (subtasks) of one metric in a Prometheus text page. */
    static long sum(String page, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "\\{[^}]*} ([0-9.eE+-]+)$").matcher(page);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return (long) total;
    }
}
