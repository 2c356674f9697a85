"""The board's core, no web framework: sign-in links and sessions, the filtered idea list,
lead actions through the engine's rules, the digest archive and trends."""
