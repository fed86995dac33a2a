"""`python -m cmmvar`: the command line."""

import sys

from cmmvar.cli import main

sys.exit(main())
