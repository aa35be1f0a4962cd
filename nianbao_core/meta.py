"""``request.meta`` keys that one layer sets and another reads.

Kept here so that a spider reading the WARC pointer needs no import of the
archiving code (and with it SQLAlchemy and Alembic).
"""

# The WarcPointer of the record holding the response's payload (set by the WARC
# capture middleware and the replay handler; read by spiders for their items).
WARC_POINTER = "warc"
# True on a request: no validators sent, no revisit record written for it.
DONT_REVISIT = "dont_revisit"
# The CharsetEvidence of the response (nianbao_core.captures), taken once when it
# is archived; items carry it so extraction need not take it again.
CHARSET_EVIDENCE = "charset_evidence"
# On a request rendered in the browser (crawler/render.py): the WarcPointer of the
# response record of the served document the DOM was rendered from, and the
# browser's particulars (WARC metadata fields: user-agent, viewport) for the
# rendered-DOM record the WARC middleware writes; then RENDERED_DOM, that
# conversion record's WarcPointer.
RENDERED_FROM = "rendered_from"
RENDERED_BY = "rendered_by"
RENDERED_DOM = "rendered_dom"
