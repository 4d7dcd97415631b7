"""``python -m clean.train``: train the page model (see ``clean.train.fit``)."""

import sys

from clean.train.fit import main

sys.exit(main())
