"""What customers say, read from their words: tokens and stems, sentiment, what they put up
with, themes and their labels, highlights, and how groups differ."""
