"""The contract suite: each chat case once, run on the console, Slack and Teams alike."""
