"""A small learned scorer: standardised features -> logistic regression, stored as JSON.

JSON (not pickle) so the weights are data that cannot execute code, diff well and carry their
own feature list and provenance.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

FORMAT_VERSION = 1


@dataclass
class LinearHead:
    kind: str  # "summary", "bullets" (logistic) or "trim" (linear: predicted ROUGE-1 gain)
    feature_names: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float = 0.5  # decision threshold (bullets abstain below it; trim: least predicted gain)
    metadata: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        self._mean = np.asarray(self.mean, dtype=np.float32)
        self._scale = np.asarray(self.scale, dtype=np.float32)
        self._coef = np.asarray(self.coef, dtype=np.float32)
        n = len(self.feature_names)
        if not (len(self._mean) == len(self._scale) == len(self._coef) == n):
            raise ValueError(f"{self.kind} head: feature count mismatch")

    def columns(self, names: list[str]) -> list[int]:
        """Positions of this head's features in a full feature matrix whose columns are ``names``."""
        if getattr(self, "_columns_for", None) != names:
            position = {n: i for i, n in enumerate(names)}
            missing = [n for n in self.feature_names if n not in position]
            if missing:
                raise ValueError(f"{self.kind} head needs features the code does not compute: {missing[:5]}")
            self._columns = [position[n] for n in self.feature_names]
            self._columns_for = names
        return self._columns

    def fits_encoder(self, name: str | None, dimension: int | None) -> bool:
        """Whether this head may read ``name``'s embeddings: always, unless it takes embedding features
        ("emb_*"), which only the encoder it was trained with (its ``metadata["encoder"]``) computes."""
        embedding = [n for n in self.feature_names if n.startswith("emb_")]
        if not embedding:
            return True
        same_name = name is None or name == self.metadata.get("encoder")
        return same_name and (dimension is None or dimension == len(embedding))

    def score(self, features: np.ndarray) -> np.ndarray:
        """The linear score of each row of ``features`` (shape (n, len(feature_names)))."""
        if features.shape[1] != len(self._coef):
            raise ValueError(f"{self.kind} head expects {len(self._coef)} features, got {features.shape[1]}")
        return ((features - self._mean) / self._scale) @ self._coef + self.intercept

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(positive) for each row of ``features``: the logistic of ``score``."""
        return 1.0 / (1.0 + np.exp(-np.clip(self.score(features), -30, 30)))

    def save(self, path: Path) -> None:
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        path.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearHead:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported head format {data.get('format_version')!r}")
        return cls(**data)
