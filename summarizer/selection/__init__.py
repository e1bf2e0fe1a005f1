"""What goes into a summary: sentence ranking, "Why it matters" selection, summary-sentence compression."""
