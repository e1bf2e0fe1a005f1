"""Child process of ``engine_choice.resolve``: time the encoder paths, cache the winner, print its record.

    python -m summarizer.models.calibrate '{"model_dir": ..., "cache": ..., "choice_file": ..., "threads": ...,
                                            "candidates": ["torch/float32", ...]}'

Run apart from the serving process so that the candidates it loads are gone when it exits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from summarizer.models.encoder import TransformerEncoder
from summarizer.models.engine_choice import Candidate


def main(argv: list[str]) -> int:
    request = json.loads(argv[0])
    torch.set_num_threads(int(request["threads"]))
    candidates = [Candidate(*label.split("/")) for label in request["candidates"]]
    record = TransformerEncoder.measure_paths(
        Path(request["model_dir"]), candidates, Path(request["cache"]), Path(request["choice_file"])
    )
    print(json.dumps(record.as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
