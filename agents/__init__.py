"""The chart engine and agent graph: planner, generator, validator and healer. Knows nothing of GitHub."""
