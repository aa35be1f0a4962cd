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
# Scrapy reads and parses a generator callback's source for a `return value` on
# every response (its cache misses bound methods): half a millisecond a response.
# tests/test_callbacks.py makes the same check of every spider's callbacks once.
WARN_ON_GENERATOR_RETURN_VALUE = False

# --- Portals ----------------------------------------------------------------
# Where a portal spider sends its requests. Empty: the live site, as written
# in the spider. Set it to a replica (``http://127.0.0.1:8765``) to crawl that
# instead; the spider's code does not change.
PORTAL_BASE_URL = os.environ.get("NIANBAO_PORTAL_BASE_URL", "")
# Per portal (JSON object, portal name -> base URL), for runs of several portals
# (scrapy crawlall): wins over PORTAL_BASE_URL for the portals it names.
PORTAL_BASE_URLS = os.environ.get("NIANBAO_PORTAL_BASE_URLS", "{}")

# --- Nightly runs (scrapy crawlall, crawler/nightly/) --------------------------------
# Portals crawled at once, each by a crawler of its own (politeness is per site).
CRAWLALL_CONCURRENT_PORTALS = 4
# apprise URLs told what a night brought (mailtos://..., json://host/path, ...);
# a JSON list or comma-separated. Empty: nobody is told.
NOTIFY_URLS = os.environ.get("NIANBAO_NOTIFY_URLS", "")
# Where the changes page is published, for the link in the message. Empty: the
# file:// URL of the page scrapy crawlall wrote.
NOTIFY_CHANGES_URL = os.environ.get("NIANBAO_NOTIFY_CHANGES_URL", "")

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
# Download sizes: attachments (PDF, DOCX) up to DOWNLOAD_MAXSIZE, text pages
# (HTML, XML, JSON) up to DOWNLOAD_MAXSIZE_PAGE, on the wire and decoded
# (crawler/bounds.py). Real report pages are 10-500 kB, attachments a few MB.
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 32 * 1024 * 1024
DOWNLOAD_MAXSIZE_PAGE = 8 * 1024 * 1024
# What an archived body may decode to when read back (304 revisits, replay,
# re-parse): a gzip bomb is archived as sent, and must not decode in full.
WARC_READ_MAXSIZE = 100 * 1024 * 1024
# The crawl stops (finish reason memusage_exceeded) rather than take the machine.
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = 2048
MEMUSAGE_WARNING_MB = 1024
# Titles, URLs and names from portals are logged with control characters
# (ANSI escapes, CR/LF) escaped (crawler/logsafe.py).
LOG_ESCAPE_CONTROL_CHARACTERS = True

# --- Portal defences (crawler/defences.py) -------------------------------------
# 瑞数 412 and 521 challenge pages, Retry-After, required Referer: recognised,
# counted in defences/<kind>, logged once per site with the URL, never stored.
DEFENCES_ENABLED = True
# The longest Retry-After honoured, in seconds (a server asking for an hour
# gets this; the request is then retried as RetryMiddleware allows).
DEFENCES_RETRY_AFTER_MAX = 120.0

# --- WARC archiving (crawler/warc) --------------------------------------------
WARC_ENABLED = True
# Empty: ./archive/<spider name>/
WARC_DIR = ""
WARC_PREFIX = "nianbao"  # file names: <prefix>-<timestamp>-<serial>-<pid>-<host>.warc.gz
# Rotate to a new file once the current one holds this many bytes (1 GB is
# the IIPC convention).
WARC_MAX_SIZE = 1_000_000_000

# Byte-exact capture: the http/https slots hold a wrapper that builds
# WARC_DOWNLOAD_HANDLER with a recorder of each exchange's bytes off the
# connection (above TLS) for the WARC middleware; see crawler/warc/handler.py.
# Records nothing when WARC_ENABLED is off. To download with another handler
# (scrapy-playwright's, say), set WARC_DOWNLOAD_HANDLER, not DOWNLOAD_HANDLERS:
# a subclass of Scrapy's HTTP/1.1 handler keeps byte-exact capture for its
# HTTP/1.1 downloads; requests with a WARC_WIRE_SKIP_META key (e.g. "playwright")
# go the handler's own way and are archived from Scrapy's response.
DOWNLOAD_HANDLERS = {
    "http": "crawler.warc.handler.WireCaptureDownloadHandler",
    "https": "crawler.warc.handler.WireCaptureDownloadHandler",
}
WARC_DOWNLOAD_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
WARC_WIRE_SKIP_META: list[str] = []

# Recrawls: send the last capture's validators (If-None-Match,
# If-Modified-Since) and archive unchanged pages as revisit records
# (crawler/warc/middleware.py). Needs the capture index, i.e. DATABASE_URL.
WARC_REVISITS = True
# Whether a revisit record gets a request record beside it. Off: a recrawl of
# an unchanged column writes revisit records only (about half the bytes); the
# request's method, URL and body digest stay in the capture index, and its
# validators are those of the capture the revisit refers to.
WARC_REVISIT_REQUESTS = False

# The capture index the WARC middleware adds each record to and asks for the
# last captures (crawler/warc/capture_index.py): a class built with
# from_crawler. The default keeps it in the database (DATABASE_URL). Empty: no
# index (then WARC_REVISITS must be off).
WARC_CAPTURE_INDEX = "storage.capture_index.SqlCaptureIndex"
# The SQL index writes its rows in batches of this many, or with the first row
# added this many seconds after the oldest waiting one, and at the end of the
# crawl (a transaction per record cost more than writing the record). A kill
# loses the waiting rows only: the records are in the WARC already.
CAPTURE_INDEX_BATCH_SIZE = 100
CAPTURE_INDEX_BATCH_SECONDS = 5.0

# Replay: answer every request from these WARC files or directories instead of
# the network (crawler/warc/replay.py). Empty: crawl the network.
WARC_REPLAY = ""

# --- Many workers, one frontier (crawler/distributed.py) -------------------------
# Redis URL of the shared frontier (scrapy-redis's scheduler and duplicate
# filter), e.g. redis://127.0.0.1:6379/0. Empty: one process, Scrapy's own
# scheduler. Also the environment variable REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Keys are <prefix>:<spider>:requests, :dupefilter, :worker:<host:pid>, :inflight:<host:pid>.
REDIS_KEY_PREFIX = "nianbao"
# A worker ends once the frontier is empty and every worker has been idle this long.
REDIS_IDLE_TIMEOUT = 10.0
# A worker's heartbeat expires after this many seconds (refreshed every third of
# it); then its in-flight requests go back on the frontier.
REDIS_WORKER_TTL = 30
# Each site's request budget, shared in Redis by every worker (crawler/site_budget.py;
# only with REDIS_URL): "2/second", "20 per minute" (requests start evenly spaced,
# all workers together) for every site, or empty for one request per
# DOWNLOAD_DELAY. DOWNLOAD_SLOTS may give a site its own:
# {"host": {"budget": "1/second"}} or {"host": {"delay": 2}}.
SITE_BUDGET = ""
# The handlers the budget sits in front of, per scheme; FrontierAddon fills it
# from DOWNLOAD_HANDLERS.
SITE_BUDGET_HANDLERS: dict[str, str] = {}

# --- Storage (storage/) ---------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///data/nianbao.db")
# Bring the database to the current schema (Alembic upgrade head) when a
# crawl or command opens it.
STORAGE_AUTO_MIGRATE = True

# --- Unchanged reports (pipelines/unchanged.py) ------------------------------------
# A report whose page and attachments all come back unchanged (WARC revisits of the
# records its stored version was built from, by today's parser and extractor) is
# noted seen, not extracted and stored again: a nightly recrawl costs what changed.
# `scrapy reparse` re-reads stored reports after a parser change.
SKIP_UNCHANGED_ENABLED = True

# --- Withdrawals (crawler/withdrawals.py) -----------------------------------------
# After walking its column, a spider checks the stored reports it no longer
# lists (404, 410, soft 404, or gone from the list); they are marked withdrawn.
WITHDRAWAL_CHECK_ENABLED = True
# More unlisted than this share of the stored reports at once is a broken
# column, not withdrawals: nothing is checked or marked then.
WITHDRAWAL_CHECK_MAX_SHARE = 0.5

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
# --- Monitors (crawler/monitors.py, spidermon) ------------------------------------
# Run as each crawl closes; failed monitors are written into its stats and make
# the portal "failed" or "suspicious" in scrapy crawlall's summary.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ("crawler.monitors.NightlyMonitorSuite",)
# Requests without an answer or answered 5xx, over all requests: above -> failed.
NIGHTLY_MAX_ERROR_RATIO = 0.1
# Entries listed below this share of the portal's last good run -> suspicious.
NIGHTLY_MIN_LISTED_SHARE = 0.5
# Reports flagged (or crashed on) by the parser, over reports read: above -> suspicious.
NIGHTLY_MAX_PARSER_ISSUE_RATIO = 0.5

ADDONS = {
    "crawler.warc.replay.WarcReplayAddon": 0,
    "crawler.distributed.FrontierAddon": 0,
}

DOWNLOADER_MIDDLEWARES = {
    # Before everything that could act on a request (robots.txt, cookies, the
    # network): redirects and meta refreshes come back through here too.
    "crawler.scope.OriginScopeMiddleware": 30,
    # Between RedirectMiddleware (600) and HttpCompressionMiddleware (590): sets the
    # decoded bound of a text response before it is decoded.
    "crawler.bounds.ContentSizeBoundsMiddleware": 595,
    # Above RedirectMiddleware (600): a redirect back to a visited URL is counted.
    "crawler.middlewares.RedirectLoopMiddleware": 610,
    # Above HttpCompressionMiddleware (590) and RedirectMiddleware (600) in
    # number, so it sees every response first on its way back: still encoded,
    # and redirects and errors before they are followed or retried.
    "crawler.warc.middleware.WarcCaptureMiddleware": 950,
    # Between RetryMiddleware (550) and the redirect and decompression steps: a
    # challenge page (412 $_ts, 521) is recognised, counted and dropped, a
    # Retry-After waited out before RetryMiddleware retries (crawler/defences.py).
    "crawler.defences.PortalDefenceMiddleware": 560,
    # Right below it: a truncated response is archived first, then retried.
    "crawler.middlewares.TruncatedResponseRetryMiddleware": 940,
    # A request with meta["render"] becomes a scrapy-playwright one (crawler/render.py);
    # does nothing for any other.
    "crawler.render.RenderMiddleware": 930,
}
# A response cut short by the server is kept (and archived with WARC-Truncated)
# rather than failed; crawler.middlewares retries it instead of parsing it.
DOWNLOAD_FAIL_ON_DATALOSS = False

# A response's request stays in the worker's in-flight set in Redis until its
# items are stored (crawler/distributed.py); off without REDIS_URL.
SPIDER_MIDDLEWARES = {
    "crawler.distributed.InFlightUntilStored": 50,
}

EXTENSIONS = {
    # Heartbeat, in-flight requests and the end of a crawl shared by workers
    # (crawler/distributed.py); off without REDIS_URL.
    "crawler.distributed.FrontierWorkers": 100,
    "crawler.logsafe.EscapeControlCharacters": 0,
    "crawler.robots_status.RobotsBlockedExtension": 400,
    "crawler.withdrawals.WithdrawalCheck": 500,
    # After CoreStats (0), whose finish_reason the monitors read.
    "spidermon.contrib.scrapy.extensions.Spidermon": 600,
    # S3/S3b over the portal's stored reports when the crawl closes (crawler/audit)
    "crawler.audit.extension.CrossReportAudit": 550,
}

ITEM_PIPELINES = {
    "pipelines.unchanged.UnchangedReportFilter": 200,
    "pipelines.extract.ReportExtractionPipeline": 300,
    "pipelines.store.ReportStoragePipeline": 800,
}

# --- Cross-report audit (crawler/audit) -----------------------------------------------
# After a crawl that stored reports, check them against the same agency's report of
# the year before (S3, S3b); ``scrapy audit`` does the same over the whole database.
AUDIT_ENABLED = True

# --- Rendering in the browser (crawler/render.py) -------------------------------------
# Only for requests with meta["render"] (spiders/jscolumn.py's list pages, say); a
# spider that renders sets WARC_DOWNLOAD_HANDLER to scrapy-playwright's handler and
# WARC_WIRE_SKIP_META = ["playwright"] in its custom_settings. Debian's Chromium:
# Playwright's own browser download is not reachable from here.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {"executable_path": "/usr/bin/chromium", "headless": True}
PLAYWRIGHT_MAX_CONTEXTS = 1  # one browser, one context
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 2
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000  # ms
# Anything reaching scrapy-playwright's own route handler was not answered through
# Scrapy (and so not archived): aborted.
PLAYWRIGHT_ABORT_REQUEST = "crawler.render.abort_unrouted"
# When a rendered page is done: after its scripts' requests have settled.
RENDER_WAIT_UNTIL = "networkidle"

# --- Scrapy behaviour -------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
# Items and requests of one response processed at once. Scrapy starts this many
# tasks for every response whatever it yields (default 100: about 0.8 ms of the
# reactor's CPU per response); a page yields one report at most and a list page
# a few dozen requests, which are only scheduled.
CONCURRENT_ITEMS = 8
# Response bytes being processed before Scrapy stops taking new requests (default
# 5 MB). A response lives until the report it yielded is stored, with its decoded
# text and parsed tree (several times its bytes): while the extraction workers are
# behind, 5 MB of report pages held about 70 MB more at the crawl's peak (1,000-
# report synthetic column, benchmarks/bench_all.py) and downloaded nothing sooner.
# 1.5 MB is still some 30 report pages waiting for two workers.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_500_000
LOG_LEVEL = "INFO"
