"""The GitHub side of k8s-autopilot: webhook server, commands, handlers, GitHub and git clients."""
