"""Input adapters: HTML pages, URL fetching and batch files (JSONL, folders) turned into article text."""
