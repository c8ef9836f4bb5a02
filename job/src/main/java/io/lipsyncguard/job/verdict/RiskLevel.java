package io.lipsyncguard.job.verdict;

/** How urgently a moderator should look at a video, derived from the verdict (see the README's decision policy). */
public enum RiskLevel {
    LOW,
    MEDIUM,
    HIGH
}
