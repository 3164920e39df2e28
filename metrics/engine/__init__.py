"""The performance engine: periods, status against target, directions, SPC, freshness,
milestones, roll-ups and comparisons, as pure functions over frames of figures."""
