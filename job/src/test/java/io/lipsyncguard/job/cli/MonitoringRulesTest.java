package io.lipsyncguard.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules of {@code k8s/monitoring.yaml} are valid PromQL and fire when, and only when, their unit tests
 * ({@code monitoring/alert-tests.yaml}, run by Prometheus's own {@code promtool}) say they should.
 */
class MonitoringRulesTest {

    @TempDir
    Path tmp;

    static boolean promtoolInstalled() {
        try {
            Process p = new ProcessBuilder("promtool", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What a promtool run printed, and its exit code. */
    record Run(int code, String out) {}

    static Run run(String... args) throws Exception {
        Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** The output of a promtool run that must succeed. */
    static String promtool(String... args) throws Exception {
        Run r = run(args);
        assertThat(r.code()).as(r.out()).isZero();
        return r.out();
    }

    @Test
    void everyAlertFiresWhenItsTestsSayAndOnlyThen() throws Exception {
        Assumptions.assumeTrue(promtoolInstalled(),
                "promtool not installed (Debian package prometheus; .ci/run installs it)");
        JsonNode rule = DeploymentManifestsTest.monitoring("PrometheusRule");
        Path rules = tmp.resolve("rules.yaml");
        DeploymentManifestsTest.YAML.writeValue(rules.toFile(), rule.get("spec"));
        Map<String, JsonNode> annotations = new HashMap<>();
        for (JsonNode group : rule.at("/spec/groups")) {
            for (JsonNode r : group.get("rules")) {
                annotations.put(r.get("alert").asText(), r.get("annotations"));
            }
        }

        JsonNode tests;
        try (InputStream in = MonitoringRulesTest.class.getResourceAsStream("/monitoring/alert-tests.yaml")) {
            tests = DeploymentManifestsTest.YAML.readTree(in);
        }
        Set<String> fired = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        for (JsonNode test : tests.get("tests")) {
            for (JsonNode check : test.get("alert_rule_test")) {
                String alert = check.get("alertname").asText();
                assertThat(annotations).as("alert %s of the tests", alert).containsKey(alert);
                (check.get("exp_alerts").isEmpty() ? quiet : fired).add(alert);
                // an expected alert is compared with its annotations too: they are the rule's own
                for (JsonNode expected : check.get("exp_alerts")) {
                    ((ObjectNode) expected).set("exp_annotations", annotations.get(alert));
                }
            }
        }
        assertThat(fired).as("every alert has a test where it fires").isEqualTo(annotations.keySet());
        assertThat(quiet).as("and one where it does not").isEqualTo(annotations.keySet());
        Path testFile = tmp.resolve("alert-tests.yaml");
        DeploymentManifestsTest.YAML.writeValue(testFile.toFile(), tests);

        assertThat(promtool("promtool", "check", "rules", rules.toString()))
                .contains("SUCCESS: " + annotations.size() + " rules found");
        assertThat(promtool("promtool", "test", "rules", testFile.toString())).contains("SUCCESS");
    }

    @Test
    void aRuleThatNoLongerFiresFailsItsTest() throws Exception {
        Assumptions.assumeTrue(promtoolInstalled(),
                "promtool not installed (Debian package prometheus; .ci/run installs it)");
        // the harness itself can fail: the restart alert with a threshold its test never reaches
        JsonNode rule = DeploymentManifestsTest.monitoring("PrometheusRule").get("spec").deepCopy();
        for (JsonNode r : rule.at("/groups/0/rules")) {
            if (r.get("alert").asText().equals("LipsyncGuardRestarting")) {
                ((ObjectNode) r).put("expr", r.get("expr").asText().replace("> 2", "> 200"));
            }
        }
        DeploymentManifestsTest.YAML.writeValue(tmp.resolve("rules.yaml").toFile(), rule);
        String tests = """
                rule_files: [rules.yaml]
                tests:
                  - interval: 1m
                    input_series:
                      - series: 'flink_jobmanager_job_numRestarts{job_name="lipsync_guard"}'
                        values: '0 0 0 1 2 3 4 4 4 4 4'
                    alert_rule_test:
                      - eval_time: 8m
                        alertname: LipsyncGuardRestarting
                        exp_alerts:
                          - exp_labels: {severity: warning, job_name: lipsync_guard}
                """;
        Files.writeString(tmp.resolve("t.yaml"), tests);
        Run r = run("promtool", "test", "rules", tmp.resolve("t.yaml").toString());
        assertThat(r.code()).as(r.out()).isNotZero();
        assertThat(r.out()).contains("FAILED", "LipsyncGuardRestarting");
    }
}
