"""``python -m retclip``: the same command line as the ``retclip`` script."""

from retclip.cli import main

raise SystemExit(main())
