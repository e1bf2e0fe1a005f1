"""A bounded LRU of finished summaries, keyed by a hash of everything that shapes the result.

Identical article + options -> the stored ``Summary`` at once, without queueing for the model.
The key (``ArticleJob.cache_key``) covers the text, the title and the options; html/url input was
already turned into text and title before it gets here, so a page and its extracted text share
entries. The service holds one model, so the model need not be part of the key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from summarizer import Summary


class ResultCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, Summary] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: bytes) -> Summary | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        # A marked copy: the stored object is never handed out, so no caller can change it.
        return found.model_copy(update={"meta": found.meta.model_copy(update={"cached": True})})

    def put(self, key: bytes, summary: Summary) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = summary
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
