#!/usr/bin/env python
"""Django's usual entry point; ``tomoni`` (tomoni/cli.py) does the same."""

from tomoni.cli import main

if __name__ == "__main__":
    main()
