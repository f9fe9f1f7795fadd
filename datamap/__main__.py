"""`python3 -m datamap` is the `datamap` command."""

import sys

from datamap.cli import main

sys.exit(main())
