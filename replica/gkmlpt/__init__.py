"""A Guangdong gkmlpt (政府信息公开目录平台) replica: config page, JSON list API, post pages."""
