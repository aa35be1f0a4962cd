"""Scrapy settings of nianbao-archive.

Every project setting has its default here, grouped by component prefix
(``PORTAL_*``, ``WARC_*``, ``STORAGE_*``/``DATABASE_URL``). The environment is
read in this module only; components read settings, never ``os.environ``.
Override any of them per crawl with ``scrapy crawl SPIDER -s NAME=VALUE``.
"""

import os

BOT_NAME = "nianbao"

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# Adds one spider per entry of the portal registry (spiders/portals.toml).
SPIDER_LOADER_CLASS = "spiders.loader.PortalSpiderLoader"
COMMANDS_MODULE = "crawler.commands"

# --- Politeness -------------------------------------------------------------
# Government portals are small, fragile and watched: identify ourselves, obey
# robots.txt, stay at two requests in flight per site and let AutoThrottle
# slow down further when the server slows down.
USER_AGENT = (
    "nianbao-archive/0.1 (+archival crawler of government information-disclosure "
    "annual reports; research use)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2  # initial response + 2 retries = 3 requests
COOKIES_ENABLED = True

# A crawl is a batch job: no remote-control port on the machine (neither the
# telnet console nor the HTTP remote control Scrapy 2.19 turns on by default).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- Portals ----------------------------------------------------------------
# Where a portal spider sends its requests. Empty: the live site, as written
# in the spider. Set it to a replica (``http://127.0.0.1:8765``) to crawl that
# instead; the spider's code does not change.
PORTAL_BASE_URL = os.environ.get("NIANBAO_PORTAL_BASE_URL", "")
# The portal registry the spider loader reads; empty: spiders/portals.toml.
PORTAL_REGISTRY = ""

# --- Scope and bounds: what a hostile portal cannot make the crawler do --------
# Requests go only to the portal's own origins (scheme, host and port of its
# base URL, plus the spider's extra_origins and these), and only to public
# addresses unless the origin names an address itself or the address is in
# SCOPE_ALLOWED_NETWORKS (e.g. "10.0.0.0/8" for an intranet portal by name).
# crawler/scope.py.
SCOPE_ENABLED = True
SCOPE_EXTRA_ORIGINS: list[str] = []
SCOPE_ALLOWED_NETWORKS: list[str] = []
# Titles, URLs and names from portals are logged with control characters
# (ANSI escapes, CR/LF) escaped (crawler/logsafe.py).
LOG_ESCAPE_CONTROL_CHARACTERS = True

# --- WARC archiving (crawler/warc) --------------------------------------------
WARC_ENABLED = True
# Empty: ./archive/<spider name>/
WARC_DIR = ""
WARC_PREFIX = "nianbao"  # file names: <prefix>-<timestamp>-<serial>-<pid>-<host>.warc.gz
# Rotate to a new file once the current one holds this many bytes (1 GB is
# the IIPC convention).
WARC_MAX_SIZE = 1_000_000_000

# Byte-exact capture: Scrapy's HTTP/1.1 handler, recording each exchange's
# bytes off the connection (above TLS) for the WARC middleware; see
# crawler/warc/handler.py. Records nothing when WARC_ENABLED is off.
DOWNLOAD_HANDLERS = {
    "http": "crawler.warc.handler.WireCaptureDownloadHandler",
    "https": "crawler.warc.handler.WireCaptureDownloadHandler",
}

# Recrawls: send the last capture's validators (If-None-Match,
# If-Modified-Since) and archive unchanged pages as revisit records
# (crawler/warc/middleware.py). Needs the capture index, i.e. DATABASE_URL.
WARC_REVISITS = True
# Whether a revisit record gets a request record beside it. Off: a recrawl of
# an unchanged column writes revisit records only (about half the bytes); the
# request's method, URL and body digest stay in the capture index, and its
# validators are those of the capture the revisit refers to.
WARC_REVISIT_REQUESTS = False

# Replay: answer every request from these WARC files or directories instead of
# the network (crawler/warc/replay.py). Empty: crawl the network.
WARC_REPLAY = ""

# --- Storage (storage/) ---------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///data/nianbao.db")
# Bring the database to the current schema (Alembic upgrade head) when a
# crawl or command opens it.
STORAGE_AUTO_MIGRATE = True

# --- Extraction (crawler/extraction.py, crawler/extraction_pool.py) -------------
# Main text and parser run in worker processes; 0: one per core.
EXTRACTION_WORKERS = 0
# Seconds one report's extraction may take before its worker is killed and the
# report stored with the issue extraction_timeout (0: no bound).
EXTRACTION_TIMEOUT = 60
# Bytes of input past which a page or an attachment (PDF, DOCX) is not parsed:
# issue input_too_large. Main text grows superlinearly with page size.
EXTRACTION_MAX_PAGE_BYTES = 4_000_000
EXTRACTION_MAX_DOCUMENT_BYTES = 50_000_000
# A PDF of more pages is not read (pdf_too_many_pages); a DOCX whose
# word/document.xml expands beyond this is not read (docx_too_large).
EXTRACTION_PDF_MAX_PAGES = 60
EXTRACTION_DOCX_MAX_XML_BYTES = 50_000_000
# A worker is replaced after this many reports (0: never), which bounds what
# the libraries' caches hold.
EXTRACTION_WORKER_MAX_TASKS = 500

# --- Report cards (scrapy card, /-/card in make browse) --------------------------
# The CJK font whose subset a card embeds, so its Chinese text shows on any
# machine (Debian's fonts-wqy-zenhei). Empty or missing: the reader's fonts.
CARD_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

# --- Components -----------------------------------------------------------------
ADDONS = {
    "crawler.warc.replay.WarcReplayAddon": 0,
}

DOWNLOADER_MIDDLEWARES = {
    # Before everything that could act on a request (robots.txt, cookies, the
    # network): redirects and meta refreshes come back through here too.
    "crawler.scope.OriginScopeMiddleware": 30,
    # Above HttpCompressionMiddleware (590) and RedirectMiddleware (600) in
    # number, so it sees every response first on its way back: still encoded,
    # and redirects and errors before they are followed or retried.
    "crawler.warc.middleware.WarcCaptureMiddleware": 950,
    # Right below it: a truncated response is archived first, then retried.
    "crawler.middlewares.TruncatedResponseRetryMiddleware": 940,
}
# A response cut short by the server is kept (and archived with WARC-Truncated)
# rather than failed; crawler.middlewares retries it instead of parsing it.
DOWNLOAD_FAIL_ON_DATALOSS = False

EXTENSIONS = {
    "crawler.logsafe.EscapeControlCharacters": 0,
}

ITEM_PIPELINES = {
    "pipelines.extract.ReportExtractionPipeline": 300,
    "pipelines.store.ReportStoragePipeline": 800,
}

# --- Scrapy behaviour -------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
