"""ceremony-bot entry point: `python app.py [serve|run-due|demo|migrate]`."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
