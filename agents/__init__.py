"""The chart engine and agent graph: planner, generator, validator and healer. Knows nothing of GitHub."""

from agents.deferred_imports import defer_library_modules

# before anything imports langchain_core or langgraph: they reach `langsmith.types` (~160
# generated API models) and the `langgraph_sdk` client for a name or two of a submodule each,
# a quarter of a cold `autopilot chart`; their code runs when a name is read from them
defer_library_modules()
