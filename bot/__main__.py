"""`python -m bot VERB`."""

import sys
import time

STARTED = time.time()  # before the imports: a restarted sender counts its predecessor's sends from here

from bot.cli import main  # noqa: E402

sys.exit(main(started=STARTED))
