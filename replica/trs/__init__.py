"""A TRS WCM (拓尔思) portal replica: static columns, createPageHTML pagers, t-dated details."""
