"""Text processing: sentence segmentation with offsets, labels and boilerplate detection."""

from summarizer.text.segment import Sentence, count_words, normalize_for_model, segment, visible_text

__all__ = ["Sentence", "count_words", "normalize_for_model", "segment", "visible_text"]
