"""Imported by the forkserver that extraction workers are forked from (``crawler.extraction_pool``).

A forkserver takes only module names to preload, so the warm-up is this
module's import: each worker forked afterwards starts with extraction set up
(``crawler.extraction.warm_up``) instead of setting it up on its first report.
Then everything imported so far is frozen out of the garbage collector: the
workers' collections stop walking (and copying, page by page, from the
forkserver) the hundred thousand objects of the libraries they share.
Nothing else imports this module.
"""

import gc

from crawler.extraction import warm_up

warm_up()
gc.freeze()
