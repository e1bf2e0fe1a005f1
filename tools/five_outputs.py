"""Five cased dev articles (every 37th) summarized by the code in ``--root``: for before/after comparisons.

    git worktree add /tmp/before 389a3c3
    python tools/five_outputs.py --root /tmp/before -o /tmp/before.json
    python tools/five_outputs.py -o /tmp/after.json
    python tools/five_outputs.py --markdown /tmp/before.json /tmp/after.json

float32 torch encoder: the same on every CPU.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "cnndm_dev.jsonl"


def _shown(span: object) -> str:
    """What a reader sees: ``display`` where the span has one (older code had no such field), else ``text``."""
    return getattr(span, "display", None) or span.text  # type: ignore[attr-defined]


def summarize(root: Path, output: Path) -> None:
    sys.path.insert(0, str(root))
    from summarizer import Settings, Summarizer  # the package under --root

    records = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    picked = [r for r in records if r.get("cased")][::37][:5]
    summarizer = Summarizer.load(settings=Settings(device="cpu", precision="float32", engine="torch"))
    rows = []
    for record in picked:
        result = summarizer.summarize(record["article"])
        rows.append(
            {
                "id": record["id"],
                "summary": [_shown(s) for s in result.sentences],
                "bullets": [_shown(b) for b in result.why_it_matters],
            }
        )
    output.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def markdown(before: Path, after: Path) -> str:
    lines = []
    pairs = zip(json.loads(before.read_text()), json.loads(after.read_text()), strict=True)
    for old, new in pairs:
        lines.append(f"#### {old['id']}\n")
        for label, row in (("Before", old), ("After", new)):
            lines.append(f"**{label}.** Summary:\n")
            lines += [f"{i + 1}. {text}" for i, text in enumerate(row["summary"])]
            lines += ["", "Why it matters:" + ("" if row["bullets"] else " (none)")]
            lines += [f"- {t[:600]}{' [...]' if len(t) > 600 else ''}" for t in row["bullets"]]
            lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose summarizer to run")
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--markdown", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.markdown:
        print(markdown(*args.markdown))
    elif args.output:
        summarize(args.root, args.output)
    else:
        parser.error("give -o FILE or --markdown BEFORE AFTER")
    return 0


if __name__ == "__main__":
    sys.exit(main())
