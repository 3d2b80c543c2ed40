"""The chart engine and agent graph: planner, generator, validator and healer. Knows nothing of GitHub."""

from agents.deferred_imports import defer_langsmith_types

# before anything imports langchain_core: its tracers reach `langsmith.types` (~160 generated API
# models, a fifth of a cold `autopilot chart`) for one enum; the models load when a name is read
defer_langsmith_types()
