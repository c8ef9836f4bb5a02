package io.lipsyncguard.job.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Detection metrics of a labelled set, computed the way scikit-learn defines them: accuracy, FPR and FNR at a
 * threshold, average precision (step-wise, ties grouped), ROC AUC (Mann-Whitney, ties count half), FPR at 95% TPR,
 * the confusion matrix, and the UNCERTAIN rate of the verdicts.
 *
 * @param videos labelled videos in the set
 * @param scored videos with a decision score (the others had no evidence or failed, and are left out of the scores)
 * @param accuracy share of scored videos on the right side of the threshold
 * @param averagePrecision AP of the score for the fake class
 * @param rocAuc area under the ROC curve
 * @param fpr false-positive rate at the threshold (real videos called fake)
 * @param fnr false-negative rate at the threshold (fake videos called real)
 * @param fprAt95Tpr the lowest FPR of a threshold that finds at least 95% of the fakes
 * @param confusion [[TN, FP], [FN, TP]] at the threshold, rows = truth (real, fake)
 * @param uncertainRate share of all videos whose verdict was UNCERTAIN
 * @param verdictAccuracy share of decisive (REAL/FAKE) verdicts that were right
 */
public record EvaluationMetrics(int videos, int scored, double accuracy, double averagePrecision, double rocAuc,
        double fpr, double fnr, double fprAt95Tpr, long[][] confusion, double uncertainRate, double verdictAccuracy) {

    /** One labelled video: truth (true = fake), its decision score (NaN without one) and its verdict label. */
    public record Sample(String videoId, boolean fake, double score, String verdict) {}

    public static EvaluationMetrics compute(List<Sample> samples, double threshold) {
        List<Sample> scored = samples.stream().filter(s -> !Double.isNaN(s.score())).toList();
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (Sample s : scored) {
            boolean saysFake = s.score() >= threshold;
            if (s.fake()) {
                if (saysFake) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (saysFake) {
                fp++;
            } else {
                tn++;
            }
        }
        long uncertain = samples.stream().filter(s -> "UNCERTAIN".equals(s.verdict())).count();
        long decisive = 0;
        long right = 0;
        for (Sample s : samples) {
            if ("REAL".equals(s.verdict()) || "FAKE".equals(s.verdict())) {
                decisive++;
                if ("FAKE".equals(s.verdict()) == s.fake()) {
                    right++;
                }
            }
        }
        return new EvaluationMetrics(samples.size(), scored.size(), ratio(tp + tn, scored.size()),
                averagePrecision(scored), rocAuc(scored), ratio(fp, fp + tn), ratio(fn, fn + tp), fprAtTpr(scored, 0.95),
                new long[][] {{tn, fp}, {fn, tp}}, ratio(uncertain, samples.size()), ratio(right, decisive));
    }

    /** AP = Σ (R_k − R_{k−1}) · P_k over the distinct scores, highest first; NaN without fakes. */
    static double averagePrecision(List<Sample> scored) {
        long positives = scored.stream().filter(Sample::fake).count();
        if (positives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        double previousRecall = 0;
        long tp = 0;
        long seen = 0;
        for (List<Sample> group : byDescendingScore(scored)) {
            for (Sample s : group) {
                seen++;
                if (s.fake()) {
                    tp++;
                }
            }
            double recall = (double) tp / positives;
            ap += (recall - previousRecall) * ((double) tp / seen);
            previousRecall = recall;
        }
        return ap;
    }

    /** Probability that a random fake scores above a random real (ties half); NaN without both classes. */
    static double rocAuc(List<Sample> scored) {
        List<Sample> fakes = scored.stream().filter(Sample::fake).toList();
        List<Sample> reals = scored.stream().filter(s -> !s.fake()).toList();
        if (fakes.isEmpty() || reals.isEmpty()) {
            return Double.NaN;
        }
        double wins = 0;
        for (Sample f : fakes) {
            for (Sample r : reals) {
                wins += f.score() > r.score() ? 1 : f.score() == r.score() ? 0.5 : 0;
            }
        }
        return wins / ((double) fakes.size() * reals.size());
    }

    /** The lowest FPR over the thresholds (the distinct scores) whose TPR reaches {@code tpr}; NaN without classes. */
    static double fprAtTpr(List<Sample> scored, double tpr) {
        long positives = scored.stream().filter(Sample::fake).count();
        long negatives = scored.size() - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        long tp = 0;
        long fp = 0;
        for (List<Sample> group : byDescendingScore(scored)) {
            for (Sample s : group) {
                if (s.fake()) {
                    tp++;
                } else {
                    fp++;
                }
            }
            if ((double) tp / positives >= tpr - 1e-12) {
                return (double) fp / negatives;
            }
        }
        return 1.0;
    }

    private static List<List<Sample>> byDescendingScore(List<Sample> scored) {
        List<Sample> sorted = new ArrayList<>(scored);
        sorted.sort(Comparator.comparingDouble(Sample::score).reversed());
        List<List<Sample>> groups = new ArrayList<>();
        for (Sample s : sorted) {
            if (groups.isEmpty() || groups.get(groups.size() - 1).get(0).score() != s.score()) {
                groups.add(new ArrayList<>());
            }
            groups.get(groups.size() - 1).add(s);
        }
        return groups;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
