"""The loop a team goes round: the prompt library and which prompt next, nudges and their
states, the ideas answers become (status, owner, merge, history, votes) and the notices
their authors get."""
