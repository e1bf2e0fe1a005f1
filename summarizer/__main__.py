"""``python -m summarizer``: the same CLI as the ``summarizer`` console script."""

import sys

from summarizer.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
